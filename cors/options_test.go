package cors_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/seclambda/seclambda/cors"
)

func TestNew(t *testing.T) {
	anyOrigin := func(string) bool { return true }
	tests := []struct {
		name string
		opts cors.Options
		err  error // nil: New succeeds
	}{
		{name: "exact origins", opts: cors.Options{AllowedOrigins: []string{"https://app.example.com", "http://localhost:3000", "http://127.0.0.1:8080", "http://[::1]:5173"}}},
		{name: "uppercase is folded", opts: cors.Options{AllowedOrigins: []string{"HTTPS://App.Example.COM"}}},
		{name: "subdomain wildcard", opts: cors.Options{AllowedOrigins: []string{"https://*.example.com"}, AllowCredentials: true}},
		{name: "subdomain wildcard with port", opts: cors.Options{AllowedOrigins: []string{"https://*.example.com:8443"}}},
		{name: "subdomain wildcard of localhost", opts: cors.Options{AllowedOrigins: []string{"http://*.localhost:3000"}}},
		{name: "port wildcard", opts: cors.Options{AllowedOrigins: []string{"http://localhost:*"}}},
		{name: "any origin", opts: cors.Options{AllowedOrigins: []string{"*"}}},
		{name: "any origin among others", opts: cors.Options{AllowedOrigins: []string{"https://a.example.com", "*"}}},
		{name: "origin func", opts: cors.Options{AllowOriginFunc: anyOrigin, AllowCredentials: true}},
		{name: "null opted in", opts: cors.Options{AllowedOrigins: []string{"null"}, InsecureAllowNullOrigin: true}},
		{name: "extension scheme", opts: cors.Options{AllowedOrigins: []string{"chrome-extension://abcdefghijklmnop"}}},
		{name: "all fields", opts: cors.Options{
			AllowedOrigins: []string{"https://app.example.com"}, AllowedMethods: []string{"GET", "PATCH", "PROPFIND"},
			AllowedHeaders: []string{"*"}, ExposedHeaders: []string{"X-Request-Id"}, AllowCredentials: true, MaxAge: -1,
			AllowPrivateNetwork: true, OptionsPassthrough: true, OptionsSuccessStatus: 200,
		}},

		{name: "no origins", opts: cors.Options{}, err: cors.ErrNoOrigins},
		{name: "empty origin list", opts: cors.Options{AllowedOrigins: []string{}}, err: cors.ErrNoOrigins},
		{name: "credentials with any origin", opts: cors.Options{AllowedOrigins: []string{"*"}, AllowCredentials: true}, err: cors.ErrCredentialsWithAnyOrigin},
		{name: "credentials with any origin among others", opts: cors.Options{AllowedOrigins: []string{"https://a.example.com", "*"}, AllowCredentials: true}, err: cors.ErrCredentialsWithAnyOrigin},
		{name: "null without opt-in", opts: cors.Options{AllowedOrigins: []string{"https://a.example.com", "null"}}, err: cors.ErrNullOrigin},
		{name: "NULL without opt-in", opts: cors.Options{AllowedOrigins: []string{"NULL"}}, err: cors.ErrNullOrigin},
		{name: "origins and func", opts: cors.Options{AllowedOrigins: []string{"https://a.example.com"}, AllowOriginFunc: anyOrigin}, err: cors.ErrConfig},

		{name: "no scheme", opts: cors.Options{AllowedOrigins: []string{"example.com"}}, err: cors.ErrInvalidOrigin},
		{name: "wildcard without scheme", opts: cors.Options{AllowedOrigins: []string{"*.example.com"}}, err: cors.ErrInvalidOrigin},
		{name: "trailing slash", opts: cors.Options{AllowedOrigins: []string{"https://example.com/"}}, err: cors.ErrInvalidOrigin},
		{name: "path", opts: cors.Options{AllowedOrigins: []string{"https://example.com/app"}}, err: cors.ErrInvalidOrigin},
		{name: "query", opts: cors.Options{AllowedOrigins: []string{"https://example.com?a=b"}}, err: cors.ErrInvalidOrigin},
		{name: "fragment", opts: cors.Options{AllowedOrigins: []string{"https://example.com#x"}}, err: cors.ErrInvalidOrigin},
		{name: "userinfo", opts: cors.Options{AllowedOrigins: []string{"https://user@example.com"}}, err: cors.ErrInvalidOrigin},
		{name: "userinfo in wildcard", opts: cors.Options{AllowedOrigins: []string{"https://*@example.com"}}, err: cors.ErrInvalidOrigin},
		{name: "two wildcards", opts: cors.Options{AllowedOrigins: []string{"https://*.*.example.com"}}, err: cors.ErrInvalidOrigin},
		{name: "wildcard host and port", opts: cors.Options{AllowedOrigins: []string{"https://*.example.com:*"}}, err: cors.ErrInvalidOrigin},
		{name: "wildcard everything https", opts: cors.Options{AllowedOrigins: []string{"https://*"}}, err: cors.ErrInvalidOrigin},
		{name: "wildcard top-level domain", opts: cors.Options{AllowedOrigins: []string{"https://*.com"}}, err: cors.ErrInvalidOrigin},
		{name: "wildcard inside label", opts: cors.Options{AllowedOrigins: []string{"https://app-*.example.com"}}, err: cors.ErrInvalidOrigin},
		{name: "wildcard suffix", opts: cors.Options{AllowedOrigins: []string{"https://example.*"}}, err: cors.ErrInvalidOrigin},
		{name: "wildcard scheme", opts: cors.Options{AllowedOrigins: []string{"*://example.com"}}, err: cors.ErrInvalidOrigin},
		{name: "wildcard in scheme", opts: cors.Options{AllowedOrigins: []string{"http*://example.com"}}, err: cors.ErrInvalidOrigin},
		{name: "empty label", opts: cors.Options{AllowedOrigins: []string{"https://a..example.com"}}, err: cors.ErrInvalidOrigin},
		{name: "trailing dot", opts: cors.Options{AllowedOrigins: []string{"https://example.com."}}, err: cors.ErrInvalidOrigin},
		{name: "port too large", opts: cors.Options{AllowedOrigins: []string{"https://example.com:65536"}}, err: cors.ErrInvalidOrigin},
		{name: "port with leading zero", opts: cors.Options{AllowedOrigins: []string{"https://example.com:0443"}}, err: cors.ErrInvalidOrigin},
		{name: "empty port", opts: cors.Options{AllowedOrigins: []string{"https://example.com:"}}, err: cors.ErrInvalidOrigin},
		{name: "space", opts: cors.Options{AllowedOrigins: []string{" https://example.com"}}, err: cors.ErrInvalidOrigin},
		{name: "empty entry", opts: cors.Options{AllowedOrigins: []string{""}}, err: cors.ErrInvalidOrigin},
		{name: "bad IPv6", opts: cors.Options{AllowedOrigins: []string{"http://[::g]"}}, err: cors.ErrInvalidOrigin},

		{name: "method list in one entry", opts: cors.Options{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET, POST"}}, err: cors.ErrConfig},
		{name: "empty method", opts: cors.Options{AllowedOrigins: []string{"*"}, AllowedMethods: []string{""}}, err: cors.ErrConfig},
		{name: "header with space", opts: cors.Options{AllowedOrigins: []string{"*"}, AllowedHeaders: []string{"X Foo"}}, err: cors.ErrConfig},
		{name: "exposed header with colon", opts: cors.Options{AllowedOrigins: []string{"*"}, ExposedHeaders: []string{"X-Foo:"}}, err: cors.ErrConfig},
		{name: "preflight status 404", opts: cors.Options{AllowedOrigins: []string{"*"}, OptionsSuccessStatus: 404}, err: cors.ErrConfig},
		{name: "preflight status 199", opts: cors.Options{AllowedOrigins: []string{"*"}, OptionsSuccessStatus: 199}, err: cors.ErrConfig},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := cors.New(tc.opts)
			if tc.err == nil {
				if err != nil || c == nil {
					t.Fatalf("New = %v, %v; want a CORS", c, err)
				}
				return
			}
			if !errors.Is(err, tc.err) || !errors.Is(err, cors.ErrConfig) {
				t.Fatalf("New error = %v, want %v and %v", err, tc.err, cors.ErrConfig)
			}
			if c != nil {
				t.Errorf("New returned a CORS with error %v", err)
			}
		})
	}
}

// TestNewCopiesOptions checks that changing the caller's slices after New
// changes nothing.
func TestNewCopiesOptions(t *testing.T) {
	o := cors.Options{
		AllowedOrigins: []string{"https://app.example.com"},
		AllowedMethods: []string{"GET"},
		AllowedHeaders: []string{"Content-Type"},
		ExposedHeaders: []string{"X-Request-Id"},
	}
	c, err := cors.New(o)
	if err != nil {
		t.Fatal(err)
	}
	o.AllowedOrigins[0] = "https://evil.com"
	o.AllowedMethods[0] = "DELETE"
	o.AllowedHeaders[0] = "X-Evil"
	o.ExposedHeaders[0] = "X-Secret"
	if h := c.Headers("https://evil.com", "GET"); h["Access-Control-Allow-Origin"] != "" {
		t.Errorf("origin list changed after New: %v", h)
	}
	h := c.Headers("https://app.example.com", "GET")
	if h["Access-Control-Allow-Origin"] != "https://app.example.com" || h["Access-Control-Expose-Headers"] != "X-Request-Id" {
		t.Errorf("actual request: %v", h)
	}
	if h := c.Headers("https://app.example.com", "DELETE"); h["Access-Control-Allow-Origin"] != "" {
		t.Errorf("method list changed after New: %v", h)
	}
	if h := c.PreflightHeaders("https://app.example.com", "GET", "x-evil"); h["Access-Control-Allow-Origin"] != "" {
		t.Errorf("header list changed after New: %v", h)
	}
}

// TestNewErrorsNameTheEntry checks that an origin error says which entry is
// wrong and why.
func TestNewErrorsNameTheEntry(t *testing.T) {
	_, err := cors.New(cors.Options{AllowedOrigins: []string{"https://ok.example.com", "https://user@example.com"}})
	if !errors.Is(err, cors.ErrInvalidOrigin) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"AllowedOrigins[1]", "userinfo"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

// TestSharedDomainWildcard checks that subdomain patterns of public
// suffixes and shared hosting domains, where anyone can get a hostname,
// are refused unless InsecureAllowSharedDomainWildcard is set, and that
// patterns under a name of one's own on those domains stay allowed.
// Regression test: "https://*.cloudfront.net" with credentials let every
// CloudFront distribution read credentialed responses.
func TestSharedDomainWildcard(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		shared  bool
	}{
		{name: "cloudfront", pattern: "https://*.cloudfront.net", shared: true},
		{name: "amplify", pattern: "https://*.amplifyapp.com", shared: true},
		{name: "API Gateway regional", pattern: "https://*.execute-api.us-east-1.amazonaws.com", shared: true},
		{name: "API Gateway with port", pattern: "https://*.execute-api.eu-west-3.amazonaws.com:443", shared: true},
		{name: "amazonaws.com", pattern: "https://*.amazonaws.com", shared: true},
		{name: "S3 path", pattern: "https://*.s3.amazonaws.com", shared: true},
		{name: "S3 under a dotted bucket name", pattern: "https://*.mybucket.s3.amazonaws.com", shared: true},
		{name: "S3 website dash form", pattern: "http://*.s3-website-us-east-1.amazonaws.com", shared: true},
		{name: "S3 website dot form", pattern: "http://*.s3-website.eu-central-1.amazonaws.com", shared: true},
		{name: "ELB", pattern: "https://*.us-east-1.elb.amazonaws.com", shared: true},
		{name: "Lambda function URL", pattern: "https://*.lambda-url.us-east-1.on.aws", shared: true},
		{name: "on.aws", pattern: "https://*.on.aws", shared: true},
		{name: "App Runner", pattern: "https://*.us-east-1.awsapprunner.com", shared: true},
		{name: "Elastic Beanstalk", pattern: "https://*.elasticbeanstalk.com", shared: true},
		{name: "GitHub Pages", pattern: "https://*.github.io", shared: true},
		{name: "Vercel", pattern: "https://*.vercel.app", shared: true},
		{name: "Netlify", pattern: "https://*.netlify.app", shared: true},
		{name: "Heroku", pattern: "https://*.herokuapp.com", shared: true},
		{name: "Cloudflare Pages", pattern: "https://*.pages.dev", shared: true},
		{name: "Cloudflare Workers", pattern: "https://*.workers.dev", shared: true},
		{name: "Firebase web.app", pattern: "https://*.web.app", shared: true},
		{name: "Firebase firebaseapp.com", pattern: "https://*.firebaseapp.com", shared: true},
		{name: "Azure", pattern: "https://*.azurewebsites.net", shared: true},
		{name: "App Engine", pattern: "https://*.appspot.com", shared: true},
		{name: "co.uk", pattern: "https://*.co.uk", shared: true},
		{name: "com.au", pattern: "https://*.com.au", shared: true},
		{name: "co.jp", pattern: "https://*.co.jp", shared: true},
		{name: "co.nz", pattern: "https://*.co.nz", shared: true},
		{name: "com.br", pattern: "https://*.com.br", shared: true},
		{name: "co.in", pattern: "https://*.co.in", shared: true},
		{name: "uppercase is folded", pattern: "HTTPS://*.CloudFront.NET", shared: true},

		{name: "own domain", pattern: "https://*.example.com"},
		{name: "own domain under co.uk", pattern: "https://*.example.co.uk"},
		{name: "Amplify branches of one app", pattern: "https://*.d1234abcd.amplifyapp.com"},
		{name: "Pages previews of one project", pattern: "https://*.myproject.pages.dev"},
		{name: "look-alike of a shared domain", pattern: "https://*.notcloudfront.net"},
		{name: "look-alike of amazonaws.com", pattern: "https://*.myamazonaws.com"},
		{name: "exact origin on a shared domain", pattern: "https://d111111abcdef8.cloudfront.net"},
		{name: "exact function URL", pattern: "https://abc.lambda-url.us-east-1.on.aws"},
	}
	for _, tt := range tests {
		for _, creds := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/credentials=%v", tt.name, creds), func(t *testing.T) {
				o := cors.Options{AllowedOrigins: []string{"https://app.example.com", tt.pattern}, AllowCredentials: creds}
				c, err := cors.New(o)
				if tt.shared {
					if !errors.Is(err, cors.ErrSharedDomainWildcard) || c != nil {
						t.Fatalf("New = %v, %v; want %v", c, err, cors.ErrSharedDomainWildcard)
					}
					if !strings.Contains(err.Error(), "AllowedOrigins[1]") {
						t.Errorf("error %q does not name the entry", err)
					}
				} else if err != nil {
					t.Fatalf("New: %v", err)
				}

				o.InsecureAllowSharedDomainWildcard = true
				if _, err := cors.New(o); err != nil {
					t.Fatalf("New with InsecureAllowSharedDomainWildcard: %v", err)
				}
			})
		}
	}
}
