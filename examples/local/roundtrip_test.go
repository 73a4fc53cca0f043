package local

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/seclambda/seclambda/authorizer"
	"github.com/seclambda/seclambda/internal/testpeer"
)

// handlerFunction runs a handler as the Lambda runtime does: the payload
// decoded by aws-lambda-go's own lambda.NewHandler, and a returned error
// turned into the runtime's errorMessage/errorType answer.
type handlerFunction struct{ h lambda.Handler }

func function(handler any) handlerFunction { return handlerFunction{lambda.NewHandler(handler)} }

func (f handlerFunction) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	out, err := f.h.Invoke(ctx, payload)
	if err != nil {
		return json.Marshal(map[string]string{"errorMessage": err.Error(), "errorType": "errorString"})
	}
	return out, nil
}

// readBack is what the backends answer: the claims ClaimsFromEvent read.
type readBack struct {
	Subject, Username string
	Groups, Scopes    []string
	Err               string
}

func answer(c *authorizer.Claims, err error) (int, string) {
	var rb readBack
	if err != nil {
		rb.Err = err.Error()
	} else {
		rb = readBack{Subject: c.Subject, Username: c.Username, Groups: c.Groups, Scopes: c.Scopes}
	}
	b, _ := json.Marshal(rb)
	return http.StatusOK, string(b)
}

// TestAuthorizerRoundTrip checks that what an authorizer.Authorizer writes
// into the authorizer context reads back through ClaimsFromEvent as the
// same subject, groups and scopes, when the gateway passes the context as
// API Gateway does: REST TOKEN and REQUEST authorizers (every value a
// string, next to principalId) and an HTTP API Lambda authorizer
// (requestContext.authorizer.lambda). Tokens come from the test OIDC
// issuer.
func TestAuthorizerRoundTrip(t *testing.T) {
	iss := testpeer.StartIssuer(t)
	v, err := authorizer.NewOIDCVerifier(authorizer.OIDCConfig{
		Issuer:    iss.URL,
		Audiences: []string{"round-trip"},
		Settings:  authorizer.Settings{InsecureAllowHTTPLoopback: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	a, err := authorizer.New(v, authorizer.WithRule(func(_ context.Context, c *authorizer.Claims) error {
		if c.Subject == "suspended" {
			return errors.New("account suspended")
		}
		return nil
	}), authorizer.WithContext(func(context.Context, *authorizer.Claims) (map[string]any, error) {
		// Neither may mislead the backend: both are refused.
		return map[string]any{"claims": "forged", "principalId": "admin", "tier": 3}, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	rest := function(func(_ context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		status, body := answer(authorizer.ClaimsFromEvent(req))
		return events.APIGatewayProxyResponse{StatusCode: status, Body: body}, nil
	})
	httpAPI := function(func(_ context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		c, err := authorizer.ClaimsFromEvent(req)
		if err == nil && req.RequestContext.Authorizer.Lambda["tier"] != float64(3) {
			err = errors.New("tier lost its JSON type")
		}
		status, body := answer(c, err)
		return events.APIGatewayV2HTTPResponse{StatusCode: status, Body: body}, nil
	})
	g, err := New(Config{
		REST: []RESTRoute{
			{Method: "GET", Resource: "/token", Function: rest,
				Authorizer: &LambdaAuthorizer{Function: function(a.RESTToken), Type: TokenAuthorizer}},
			{Method: "GET", Resource: "/request", Function: rest,
				Authorizer: &LambdaAuthorizer{Function: function(a.RESTRequest), Type: RequestAuthorizer}},
		},
		HTTP: []HTTPRoute{
			{RouteKey: "GET /notes/{id}", Function: httpAPI, Authorizer: &HTTPAuthorizer{Function: function(a.HTTPAPISimple)}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		groups any // the token's groups claim; nil leaves it out
		scope  string
		want   readBack
	}{
		{name: "no groups or scopes", want: readBack{Subject: "user-1", Username: "alice"}},
		{name: "one group, two scopes", groups: []string{"admin"}, scope: "orders/read orders/write",
			want: readBack{Subject: "user-1", Username: "alice", Groups: []string{"admin"}, Scopes: []string{"orders/read", "orders/write"}}},
		{name: "names with spaces, commas, quotes and brackets", groups: []string{"Billing Admins", "a,b", `say "hi"`, "[x y]", "<b>&"},
			want: readBack{Subject: "user-1", Username: "alice", Groups: []string{"Billing Admins", "a,b", `say "hi"`, "[x y]", "<b>&"}}},
		{name: "one group given as a string", groups: "ops", scope: "profile",
			want: readBack{Subject: "user-1", Username: "alice", Groups: []string{"ops"}, Scopes: []string{"profile"}}},
	}
	for _, tt := range tests {
		claims := map[string]any{"iss": iss.URL, "sub": "user-1", "aud": "round-trip", "exp": 4102444800, "username": "alice"}
		if tt.groups != nil {
			claims["groups"] = tt.groups
		}
		if tt.scope != "" {
			claims["scope"] = tt.scope
		}
		tok := iss.Mint(t, claims, nil)
		for _, path := range []string{"/token", "/request", "/notes/n1"} {
			t.Run(tt.name+" "+path, func(t *testing.T) {
				r := httptest.NewRequest("GET", "http://127.0.0.1:9"+path, nil)
				r.Header.Set("Authorization", "Bearer "+tok)
				w := httptest.NewRecorder()
				g.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					t.Fatalf("status %d: %s", w.Code, w.Body)
				}
				var got readBack
				if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
					t.Fatal(err)
				}
				if got.Err != "" || got.Subject != tt.want.Subject || got.Username != tt.want.Username ||
					!slices.Equal(got.Groups, tt.want.Groups) || !slices.Equal(got.Scopes, tt.want.Scopes) {
					t.Fatalf("read back %+v, want %+v", got, tt.want)
				}
			})
		}
	}

	// The gateway's answers when the Authorizer rejects.
	for _, path := range []string{"/token", "/request", "/notes/n1"} {
		t.Run("token for another audience "+path, func(t *testing.T) {
			r := httptest.NewRequest("GET", "http://127.0.0.1:9"+path, nil)
			r.Header.Set("Authorization", "Bearer "+iss.Mint(t, map[string]any{"iss": iss.URL, "sub": "u", "aud": "other", "exp": 4102444800}, nil))
			w := httptest.NewRecorder()
			g.ServeHTTP(w, r)
			if w.Code != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", w.Code)
			}
		})
		t.Run("denied by a rule "+path, func(t *testing.T) {
			r := httptest.NewRequest("GET", "http://127.0.0.1:9"+path, nil)
			r.Header.Set("Authorization", "Bearer "+iss.Mint(t, map[string]any{"iss": iss.URL, "sub": "suspended", "aud": "round-trip", "exp": 4102444800}, nil))
			w := httptest.NewRecorder()
			g.ServeHTTP(w, r)
			if w.Code != http.StatusForbidden {
				t.Fatalf("status %d, want 403", w.Code)
			}
		})
	}
}
