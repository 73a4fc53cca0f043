package authorizer_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seclambda/seclambda/authorizer"
)

// marker is planted in fuzz inputs; it must never reach an error message.
const marker = "SECRETMARKER"

func FuzzVerify(f *testing.F) {
	s := newOIDC(f, nil)
	valid := s.mint(f, nil, nil)
	f.Add(valid)
	f.Add(valid[:len(valid)-5] + marker)
	f.Add(unsigned(map[string]any{"alg": "none", "kid": marker}, s.claims(nil), nil))
	f.Add(unsigned(map[string]any{"alg": "ES256", "kid": "k1", "jku": marker}, s.claims(nil), make([]byte, 64)))
	f.Add(b64([]byte(`{"alg":"RS256","kid":"`+marker+`"}`)) + "." + b64([]byte(`{"exp":1e400}`)) + ".c2ln")
	f.Add("..")
	f.Fuzz(func(t *testing.T, token string) {
		c, err := s.v.Verify(ctx(t), token)
		if err == nil {
			if token != valid {
				t.Fatalf("accepted a token that was never issued")
			}
			if c == nil {
				t.Fatal("nil claims without error")
			}
			return
		}
		if c != nil {
			t.Fatal("claims with an error")
		}
		if !errors.Is(err, authorizer.ErrUnauthorized) && !errors.Is(err, authorizer.ErrUnavailable) {
			t.Fatalf("error outside both families: %v", err)
		}
		if strings.Contains(err.Error(), marker) || (len(token) > 16 && strings.Contains(err.Error(), token)) {
			t.Fatalf("error leaks input: %v", err)
		}
	})
}

func FuzzParseMethodARN(f *testing.F) {
	f.Add("arn:aws:execute-api:us-east-1:123456789012:s4x3opwd6i/test/GET/request")
	f.Add("arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/GET/")
	f.Add("arn:aws:execute-api:us-east-1:123456789012:" + marker + "/x/GET/a b")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := authorizer.ParseMethodARN(s)
		if err != nil {
			if !errors.Is(err, authorizer.ErrMethodARN) || strings.Contains(err.Error(), marker) {
				t.Fatalf("bad error: %v", err)
			}
			return
		}
		again, err := authorizer.ParseMethodARN(a.String())
		if err != nil || again != a {
			t.Fatalf("round trip: %+v vs %+v (%v)", a, again, err)
		}
		p := authorizer.NewPolicy(a)
		_ = p.Allow(authorizer.Route{Method: a.Method, Resource: "/" + a.Resource})
		_ = p.Document()
	})
}

func FuzzParseCognitoAuthenticationProvider(f *testing.F) {
	f.Add("cognito-idp.us-east-1.amazonaws.com/us-east-1_a,cognito-idp.us-east-1.amazonaws.com/us-east-1_a:CognitoSignIn:sub")
	f.Add("graph.facebook.com,graph.facebook.com:123")
	f.Add(marker + ":CognitoSignIn:")
	f.Add("login.example.app,login.example.app:x,cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool1:CognitoSignIn:victim-sub")
	f.Add("arn:aws:iam::123456789012:saml-provider/Corp,arn:aws:iam::123456789012:saml-provider/Corp:" + marker)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := authorizer.ParseCognitoAuthenticationProvider(s)
		if err != nil {
			if !errors.Is(err, authorizer.ErrProvider) || strings.Contains(err.Error(), marker) {
				t.Fatalf("bad error: %v", err)
			}
			return
		}
		if p.Provider == "" {
			t.Fatal("parsed without a provider")
		}
		if p.Sub != "" && p.UserPoolID == "" {
			t.Fatal("sub without pool")
		}
		// The parts agree: the value is the provider, alone or followed by
		// its own login.
		switch {
		case p.Sub != "":
			if s != p.Provider+","+p.Provider+":CognitoSignIn:"+p.Sub {
				t.Fatalf("sub %q does not belong to provider %q", p.Sub, p.Provider)
			}
		case p.ID != "":
			if s != p.Provider+","+p.Provider+":"+p.ID {
				t.Fatalf("ID %q does not belong to provider %q", p.ID, p.Provider)
			}
		default:
			if s != p.Provider {
				t.Fatalf("provider %q is not the whole value", p.Provider)
			}
		}
	})
}

func FuzzClaimsFromEvent(f *testing.F) {
	f.Add("[admin staff]")
	f.Add("[Billing Admins]")
	f.Add(`["Billing Admins","Ops"]`)
	f.Add("admin,staff")
	f.Add("[" + marker + "]")
	f.Fuzz(func(t *testing.T, groups string) {
		for _, name := range []string{"groups", "cognito:groups", "aud", "scp"} {
			req := events.APIGatewayV2HTTPRequest{RequestContext: events.APIGatewayV2HTTPRequestContext{
				Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
					JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
						Claims: map[string]string{"sub": "u", name: groups},
					},
				},
			}}
			c, err := authorizer.ClaimsFromEvent(req)
			if err != nil {
				if !errors.Is(err, authorizer.ErrClaimType) || strings.Contains(err.Error(), marker) {
					t.Fatalf("bad error: %v", err)
				}
				continue
			}
			// groups never comes from a whitespace split of "[...]".
			var arr []string
			trimmed := strings.TrimSpace(groups)
			if name == "groups" && strings.HasPrefix(trimmed, "[") && strings.HasSuffix(trimmed, "]") &&
				json.Unmarshal([]byte(trimmed), &arr) != nil && len(c.Groups) > 1 {
				t.Fatalf("groups %q split into %q", groups, c.Groups)
			}
		}
	})
}

// FuzzClaimsFromLambdaContext feeds the Lambda authorizer context reader
// arbitrary sub, groups and scopes strings, as REST passes them: it must not
// panic, must not echo the values in errors, and must read back exactly
// what the handlers write.
func FuzzClaimsFromLambdaContext(f *testing.F) {
	f.Add("user-1", `["admin","staff"]`, `["orders/read"]`)
	f.Add("u", "admin,staff", "orders/read orders/write")
	f.Add("", `["a"]`, "null")
	f.Add(marker, `["`+marker+`",1]`, `{"a":1}`)
	f.Fuzz(func(t *testing.T, sub, groups, scopes string) {
		req := events.APIGatewayProxyRequest{}
		req.RequestContext.Authorizer = map[string]any{
			"principalId": sub, "seclambda": "1", "sub": sub, "groups": groups, "scopes": scopes,
		}
		c, err := authorizer.ClaimsFromEvent(req)
		if err != nil {
			if strings.Contains(err.Error(), marker) {
				t.Fatalf("error echoes a value: %v", err)
			}
			if !errors.Is(err, authorizer.ErrClaimType) && !errors.Is(err, authorizer.ErrMissingSubject) {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		if c.Subject == "" || c.Subject != sub {
			t.Fatalf("sub %q read as %q", sub, c.Subject)
		}
		// Whatever was accepted is a JSON array of strings that
		// re-encodes to the same members.
		for _, l := range []struct {
			in  string
			got []string
		}{{groups, c.Groups}, {scopes, c.Scopes}} {
			var want []string
			if err := json.Unmarshal([]byte(l.in), &want); err != nil || !slices.Equal(want, l.got) {
				t.Fatalf("%q read as %q", l.in, l.got)
			}
		}
	})
}
