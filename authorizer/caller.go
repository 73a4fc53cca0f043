package authorizer

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// ProxyEvent is a REST (payload 1.0) or HTTP API (payload 2.0) proxy
// event, as received by the backend function behind API Gateway: the
// events that [ClaimsFromEvent] and [CallerFromEvent] read.
type ProxyEvent interface {
	events.APIGatewayProxyRequest | events.APIGatewayV2HTTPRequest
}

// Caller is the IAM identity of a SigV4-signed (AWS_IAM) request, as API
// Gateway verified it, including the Cognito identity pool (federated
// identities) fields when the credentials came from one.
type Caller struct {
	// UserARN is the caller's ARN, such as an assumed-role ARN.
	UserARN string
	// AccountID is the caller's account.
	AccountID string
	// AccessKey is the access key ID that signed the request (not a secret).
	AccessKey string
	// CallerID is the caller's principal ID, such as "AROA...:session".
	CallerID string
	// UserID is the user (REST "user", HTTP API "userId").
	UserID string
	// PrincipalOrgID is the caller's AWS organization (HTTP API only).
	PrincipalOrgID string
	// CognitoIdentityID is the identity pool identity, such as
	// "us-east-1:3f29...".
	CognitoIdentityID string
	// CognitoIdentityPoolID is the identity pool.
	CognitoIdentityPoolID string
	// CognitoAuthenticationType is "authenticated" or "unauthenticated"
	// (REST only; HTTP API reports it in AMR).
	CognitoAuthenticationType string
	// AMR is the authentication methods reference (HTTP API only).
	AMR []string
	// Provider is the parsed cognitoAuthenticationProvider (REST) or the
	// provider found in AMR (HTTP API); nil when there is none.
	Provider *CognitoProvider
}

// CognitoProvider is a parsed cognitoAuthenticationProvider: the login
// that an identity pool exchanged for credentials.
type CognitoProvider struct {
	// Provider is the provider name: a user pool
	// ("cognito-idp.<region>.amazonaws.com/<pool>"), or an external one such
	// as "graph.facebook.com" or "accounts.google.com".
	Provider string
	// UserPoolID is the user pool's ID, for user pool logins.
	UserPoolID string
	// Region is the user pool's region, for user pool logins.
	Region string
	// Sub is the user pool user's sub, for user pool logins.
	Sub string
	// ID is the user's ID at an external provider, when the value has one.
	ID string
}

// maxProviderBytes bounds a cognitoAuthenticationProvider value.
const maxProviderBytes = 4096

// ParseCognitoAuthenticationProvider parses the cognitoAuthenticationProvider
// of a request made with identity pool credentials. API Gateway documents it
// as the provider's name, a comma, and the same name followed by a colon
// and the user's ID at that provider; for a user pool login the ID is
// "CognitoSignIn:" and the user's sub:
//
//	cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc,cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc:CognitoSignIn:<sub>
//	graph.facebook.com,graph.facebook.com:<id>
//
// A name alone (no comma) is accepted as a provider without an ID. Every
// other shape fails: the login part must begin with the name part, so
// that a value cannot name one provider and carry the sub of another; a
// user pool name must be cognito-idp.<region>.amazonaws.com[.cn]/<pool>;
// more than two parts, empty parts and whitespace are refused. It fails with [ErrProvider], without echoing the input.
func ParseCognitoAuthenticationProvider(s string) (CognitoProvider, error) {
	if s == "" || len(s) > maxProviderBytes || strings.ContainsAny(s, " \t\r\n") {
		return CognitoProvider{}, ErrProvider
	}
	name, login, hasLogin := strings.Cut(s, ",")
	if name == "" || strings.Contains(name, ":CognitoSignIn:") || strings.Contains(login, ",") {
		return CognitoProvider{}, ErrProvider
	}
	host, pool, isPool := strings.Cut(name, "/")
	isPool = isPool && strings.HasPrefix(host, "cognito-idp.")
	if !hasLogin {
		if isPool {
			return CognitoProvider{}, ErrProvider // a user pool login always has a sub
		}
		return CognitoProvider{Provider: name}, nil
	}
	id, ok := strings.CutPrefix(login, name+":")
	if !ok || id == "" {
		return CognitoProvider{}, ErrProvider
	}
	if !isPool {
		if strings.Contains(id, ":CognitoSignIn:") || strings.HasPrefix(id, "CognitoSignIn:") {
			return CognitoProvider{}, ErrProvider
		}
		return CognitoProvider{Provider: name, ID: id}, nil
	}
	sub, ok := strings.CutPrefix(id, "CognitoSignIn:")
	region, _, _ := strings.Cut(pool, "_")
	if !ok || sub == "" || strings.ContainsAny(sub, ":,/") || !localPoolRe.MatchString(pool) ||
		!(strings.HasSuffix(host, ".amazonaws.com") || strings.HasSuffix(host, ".amazonaws.com.cn")) {
		return CognitoProvider{}, ErrProvider
	}
	return CognitoProvider{Provider: name, UserPoolID: pool, Region: region, Sub: sub}, nil
}

// CallerFromEvent returns the IAM caller of an AWS_IAM-authorized REST or
// HTTP API request, or [ErrNoCaller] when the request carries none. A
// malformed cognitoAuthenticationProvider fails with [ErrProvider]. The
// context of a Lambda authorizer, ours included, is not an IAM caller:
// read it with [ClaimsFromEvent].
func CallerFromEvent[R ProxyEvent](req R) (Caller, error) {
	var c Caller
	switch r := any(req).(type) {
	case events.APIGatewayProxyRequest:
		id := r.RequestContext.Identity
		c = Caller{
			UserARN: id.UserArn, AccountID: id.AccountID, AccessKey: id.AccessKey, CallerID: id.Caller,
			UserID: id.User, CognitoIdentityID: id.CognitoIdentityID, CognitoIdentityPoolID: id.CognitoIdentityPoolID,
			CognitoAuthenticationType: id.CognitoAuthenticationType,
		}
		if id.CognitoAuthenticationProvider != "" {
			p, err := ParseCognitoAuthenticationProvider(id.CognitoAuthenticationProvider)
			if err != nil {
				return Caller{}, err
			}
			c.Provider = &p
		}
	case events.APIGatewayV2HTTPRequest:
		if r.RequestContext.Authorizer == nil || r.RequestContext.Authorizer.IAM == nil {
			return Caller{}, ErrNoCaller
		}
		iam := r.RequestContext.Authorizer.IAM
		c = Caller{
			UserARN: iam.UserARN, AccountID: iam.AccountID, AccessKey: iam.AccessKey, CallerID: iam.CallerID,
			UserID: iam.UserID, PrincipalOrgID: iam.PrincipalOrgID,
			CognitoIdentityID: iam.CognitoIdentity.IdentityID, CognitoIdentityPoolID: iam.CognitoIdentity.IdentityPoolID,
			AMR: append([]string(nil), iam.CognitoIdentity.AMR...),
		}
		// HTTP API lists the provider's name and its login as separate
		// amr entries; they must agree as in the REST form.
		for _, m := range c.AMR {
			name, _, ok := strings.Cut(m, ":CognitoSignIn:")
			if !ok {
				continue
			}
			if c.Provider != nil || !slices.Contains(c.AMR, name) {
				return Caller{}, ErrProvider
			}
			p, err := ParseCognitoAuthenticationProvider(name + "," + m)
			if err != nil {
				return Caller{}, err
			}
			c.Provider = &p
		}
	}
	if c.UserARN == "" && c.AccessKey == "" && c.CognitoIdentityID == "" {
		return Caller{}, ErrNoCaller
	}
	return c, nil
}

// ClaimsFromEvent returns the claims that an authorizer put into the event,
// or [ErrNoClaims]. It reads three kinds of authorizer:
//   - an [Authorizer] of this package, used as a Lambda authorizer (REST:
//     requestContext.authorizer; HTTP API:
//     requestContext.authorizer.lambda): sub, iss, username, client_id,
//     token_use, groups and scopes, as the handlers wrote them (see
//     [Authorizer] for the format);
//   - a Cognito user pool authorizer (REST:
//     requestContext.authorizer.claims);
//   - a JWT authorizer (HTTP API: requestContext.authorizer.jwt).
//
// API Gateway has already verified these claims; trust them only behind an
// authorizer of that kind. Raw keeps the values as the event carries them
// (for a Lambda authorizer, the whole context, including the entries of
// [WithContext]).
//
// A Lambda authorizer's context is read only when it carries the key
// "seclambda" that the handlers write, with the value "1"; the context of
// another Lambda authorizer gives [ErrNoClaims], since its format is
// unknown. Its sub must be non-empty ([ErrMissingSubject]) and, on REST,
// equal to principalId; groups and scopes must be JSON arrays of strings;
// anything else fails with a [*ClaimError] rather than being guessed at.
// An event that carries both that key and the claims of a Cognito or JWT
// authorizer (or an IAM caller, on HTTP API) fails with
// [ErrAmbiguousClaims]: API Gateway runs one authorizer per route, so
// such an event was not built by it.
//
// The rest of this comment is about Cognito user pool and JWT authorizers.
//
// API Gateway does not pass claims with their JSON types, and does not
// document the forms it uses. A REST event may carry a claim with its JSON
// type or as a string; an HTTP API event carries every claim as a string,
// numbers in decimal and arrays as "[a b c]", members separated by single
// spaces with no quoting. A list claim (aud, cognito:groups or groups,
// scope or scp) is read as follows, and only when the reading is
// unambiguous:
//   - a JSON array of strings, or a string holding one (`["a","b"]`): its
//     members;
//   - "[a b c]": split on whitespace only when the claim's members cannot
//     hold whitespace: cognito:groups (Cognito group names cannot), scope
//     and scp (RFC 6749 §3.3 scope tokens cannot), and aud when every
//     member contains ":" (RFC 7519 §2 makes such a value a URI, which
//     cannot hold a space). "[a]" with no whitespace is the one member
//     "a". Otherwise, such as groups "[Billing Admins]" (one group, or
//     two?), ClaimsFromEvent fails with a [*ClaimError] wrapping
//     [ErrClaimType] rather than guess: read such claims from the token
//     itself, or have the issuer emit names without spaces;
//   - any other string: "a,b" (the REST form of a list) split on commas,
//     else the single member it is. A member that itself holds a comma
//     cannot be told apart in this form; keep such names out of groups
//     that a REST backend reads, or read the token itself.
//
// Dates (exp, iat, nbf) are numbers, decimal strings or time.UnixDate
// strings (REST). A claim of another JSON type than the one this package
// reads (a number for sub, an object for groups) fails with a
// [*ClaimError] wrapping [ErrClaimType].
func ClaimsFromEvent[R ProxyEvent](req R) (*Claims, error) {
	var vals map[string]any
	var scopes []string
	switch r := any(req).(type) {
	case events.APIGatewayProxyRequest:
		auth := r.RequestContext.Authorizer
		_, hasClaims := auth["claims"]
		if _, ours := auth[formatKey]; ours {
			if hasClaims {
				return nil, ErrAmbiguousClaims
			}
			return claimsFromContext(maps.Clone(auth), auth["principalId"])
		}
		m, ok := auth["claims"].(map[string]any)
		if !ok {
			return nil, ErrNoClaims
		}
		vals = make(map[string]any, len(m))
		for k, v := range m {
			vals[k] = v
		}
	case events.APIGatewayV2HTTPRequest:
		auth := r.RequestContext.Authorizer
		if auth == nil {
			return nil, ErrNoClaims
		}
		if _, ours := auth.Lambda[formatKey]; ours {
			if auth.JWT != nil || auth.IAM != nil {
				return nil, ErrAmbiguousClaims
			}
			return claimsFromContext(maps.Clone(auth.Lambda), nil)
		}
		if auth.JWT == nil {
			return nil, ErrNoClaims
		}
		vals = make(map[string]any, len(r.RequestContext.Authorizer.JWT.Claims))
		for k, v := range r.RequestContext.Authorizer.JWT.Claims {
			vals[k] = v
		}
		scopes = slices.Clone(r.RequestContext.Authorizer.JWT.Scopes)
	}
	c := &Claims{Raw: vals}
	cr := claimReader{vals: vals}
	var cognitoUsername string
	cr.str("sub", &c.Subject)
	cr.str("iss", &c.Issuer)
	cr.str("token_use", &c.TokenUse)
	cr.str("client_id", &c.ClientID)
	cr.str("username", &c.Username)
	cr.str("cognito:username", &cognitoUsername)
	if c.Username == "" {
		c.Username = cognitoUsername
	}
	cr.list("aud", &c.Audience, eventList)
	if _, ok := vals["cognito:groups"]; ok {
		cr.list("cognito:groups", &c.Groups, eventList)
	} else {
		cr.list("groups", &c.Groups, eventList)
	}
	c.Scopes = scopes
	if len(c.Scopes) == 0 {
		if _, ok := vals["scope"]; ok {
			cr.list("scope", &c.Scopes, eventList)
		} else {
			cr.list("scp", &c.Scopes, eventList)
		}
	}
	cr.date("exp", &c.ExpiresAt)
	cr.date("iat", &c.IssuedAt)
	cr.date("nbf", &c.NotBefore)
	if cr.err != nil {
		return nil, cr.err
	}
	return c, nil
}

// claimReader reads the claims that an authorizer passed on, out of vals
// (see [ClaimsFromEvent]). An absent or null claim leaves its field alone;
// the first claim of the wrong type or form sets err to a [*ClaimError]
// wrapping [ErrClaimType], after which the reader reads nothing more.
type claimReader struct {
	vals map[string]any
	err  error
}

func (r *claimReader) fail(name string) {
	r.err = &ClaimError{Claim: name, Err: ErrClaimType}
}

// str reads string claim name into dst.
func (r *claimReader) str(name string, dst *string) {
	if r.err != nil {
		return
	}
	switch v := r.vals[name].(type) {
	case nil:
	case string:
		*dst = v
	default:
		r.fail(name)
	}
}

// list reads list claim name into dst; parse returns the members of its
// value, or false when the value has the wrong type or form.
func (r *claimReader) list(name string, dst *[]string, parse func(name string, v any) ([]string, bool)) {
	if r.err != nil {
		return
	}
	v := r.vals[name]
	if v == nil {
		return
	}
	out, ok := parse(name, v)
	if !ok {
		r.fail(name)
		return
	}
	*dst = out
}

// date reads date claim name into dst, in a form that parseDate accepts.
func (r *claimReader) date(name string, dst *time.Time) {
	if r.err != nil {
		return
	}
	t, ok := parseDate(r.vals[name])
	if !ok {
		r.fail(name)
		return
	}
	*dst = t
}

// eventList returns the members of list claim name as an API Gateway event
// carries it: a JSON array of strings, or a string in a form that splitList
// reads.
func eventList(name string, v any) ([]string, bool) {
	switch v := v.(type) {
	case []any:
		return stringArray(v)
	case string:
		return splitList(name, v)
	}
	return nil, false
}

// splitList parses the string form of list claim name (see
// [ClaimsFromEvent]), reporting false when the form is ambiguous.
func splitList(name, s string) ([]string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, true
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		var arr []string
		if json.Unmarshal([]byte(s), &arr) == nil {
			return arr, true
		}
		fields := strings.Fields(s[1 : len(s)-1])
		if len(fields) <= 1 {
			return fields, true
		}
		switch name {
		case "cognito:groups", "scope", "scp":
			return fields, true
		case "aud":
			for _, f := range fields {
				if !strings.Contains(f, ":") {
					return nil, false
				}
			}
			return fields, true
		}
		return nil, false
	}
	if name == "scope" || name == "scp" {
		return strings.Fields(s), true
	}
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out, true
}

// parseDate parses a numeric date, a decimal string or a time.UnixDate
// string; absent is the zero time. It reports false for anything else.
func parseDate(v any) (time.Time, bool) {
	switch v := v.(type) {
	case nil:
		return time.Time{}, true
	case float64:
		if v >= 0 && v <= maxNumericDate {
			return time.Unix(int64(v), 0), true
		}
	case string:
		if v == "" {
			return time.Time{}, true
		}
		if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 && f <= maxNumericDate {
			return time.Unix(int64(f), 0), true
		}
		if t, err := time.Parse(time.UnixDate, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
