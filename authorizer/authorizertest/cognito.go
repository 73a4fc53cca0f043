package authorizertest

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"
)

// CognitoUser is the user a Cognito-shaped token is about, for
// [CognitoIDClaims] and [CognitoAccessClaims].
type CognitoUser struct {
	// Sub is the user's sub. Empty means Username.
	Sub string
	// Username is the user name (cognito:username in an ID token,
	// username in an access token).
	Username string
	// Groups are the user's cognito:groups; empty leaves the claim out, as
	// Cognito does for a user in no group.
	Groups []string
	// Email is the ID token's email (with email_verified true); empty
	// leaves both out.
	Email string
	// Scopes are the access token's scope, joined with spaces. Empty means
	// "aws.cognito.signin.user.admin", Cognito's scope for tokens from its
	// own user APIs.
	Scopes []string
}

// Token lifetimes: Cognito's default for ID and access tokens is one hour.
const cognitoTokenLifetime = time.Hour

// CognitoIDClaims returns the claims of a Cognito user pool ID token for
// the app client clientID, as Cognito issues them: sub, aud (clientID),
// token_use "id", cognito:username, cognito:groups, email, auth_time, iat
// and exp (now and now plus an hour), jti, origin_jti and event_id. Sign
// them with a [NewCognitoIssuer], which adds iss. Change the map to test
// other tokens: set exp in the past, delete aud, and so on.
func CognitoIDClaims(clientID string, u CognitoUser) map[string]any {
	c := cognitoCommon(u)
	c["aud"] = clientID
	c["token_use"] = "id"
	c["cognito:username"] = u.Username
	if u.Email != "" {
		c["email"] = u.Email
		c["email_verified"] = true
	}
	return c
}

// CognitoAccessClaims returns the claims of a Cognito user pool access
// token for the app client clientID, as Cognito issues them: sub,
// client_id (clientID), token_use "access", username, cognito:groups,
// scope, auth_time, iat and exp (now and now plus an hour), jti,
// origin_jti and event_id; an access token has no aud. Sign them with a
// [NewCognitoIssuer], which adds iss.
func CognitoAccessClaims(clientID string, u CognitoUser) map[string]any {
	c := cognitoCommon(u)
	c["client_id"] = clientID
	c["token_use"] = "access"
	c["username"] = u.Username
	scope := "aws.cognito.signin.user.admin"
	if len(u.Scopes) > 0 {
		scope = strings.Join(u.Scopes, " ")
	}
	c["scope"] = scope
	return c
}

func cognitoCommon(u CognitoUser) map[string]any {
	now := time.Now().Unix()
	sub := u.Sub
	if sub == "" {
		sub = u.Username
	}
	c := map[string]any{
		"sub":        sub,
		"auth_time":  now,
		"iat":        now,
		"exp":        now + int64(cognitoTokenLifetime/time.Second),
		"jti":        uuid(),
		"origin_jti": uuid(),
		"event_id":   uuid(),
	}
	if len(u.Groups) > 0 {
		c["cognito:groups"] = append([]string(nil), u.Groups...)
	}
	return c
}

// uuid returns a random version 4 UUID.
func uuid() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
