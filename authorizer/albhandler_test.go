package authorizer_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seclambda/seclambda/authorizer"
	"github.com/seclambda/seclambda/cors"
	"github.com/seclambda/seclambda/mtls"
	"github.com/seclambda/seclambda/mtls/mtlstest"
)

// albEcho is a target that answers 200 with the verified subject.
func albEcho(called *bool) authorizer.ALBHandler {
	return func(ctx context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		*called = true
		c, ok := authorizer.ClaimsFromContext(ctx)
		if !ok {
			return events.ALBTargetGroupResponse{}, errors.New("no claims in context")
		}
		return events.ALBTargetGroupResponse{StatusCode: 200, Body: c.Subject}, nil
	}
}

// TestWrapALB is the outcome table of the ALB target wrapper.
func TestWrapALB(t *testing.T) {
	tests := []struct {
		name   string
		multi  bool
		event  func(t *testing.T, s *albSetup, multi bool) events.ALBTargetGroupRequest
		before func(s *albSetup)
		status int
		called bool
	}{
		{name: "valid", status: 200, called: true},
		{name: "valid, multi-value headers", multi: true, status: 200, called: true},
		{name: "header name in another case", event: func(t *testing.T, s *albSetup, multi bool) events.ALBTargetGroupRequest {
			e := s.alb.Event("GET", "/", "", multi)
			e.Headers[authorizer.ALBHeader] = s.sign(t, nil, nil)
			return e
		}, status: 200, called: true},
		{name: "no token", event: func(t *testing.T, s *albSetup, multi bool) events.ALBTargetGroupRequest {
			return s.alb.Event("GET", "/", "", multi)
		}, status: 401},
		{name: "no token, multi-value headers", multi: true, event: func(t *testing.T, s *albSetup, multi bool) events.ALBTargetGroupRequest {
			return s.alb.Event("GET", "/", "", multi)
		}, status: 401},
		{name: "token given twice", multi: true, event: func(t *testing.T, s *albSetup, multi bool) events.ALBTargetGroupRequest {
			tok := s.sign(t, nil, nil)
			e := s.alb.Event("GET", "/", tok, multi)
			e.MultiValueHeaders["x-amzn-oidc-data"] = []string{tok, tok}
			return e
		}, status: 401},
		{name: "token in both maps", event: func(t *testing.T, s *albSetup, multi bool) events.ALBTargetGroupRequest {
			tok := s.sign(t, nil, nil)
			e := s.alb.Event("GET", "/", tok, multi)
			e.MultiValueHeaders = map[string][]string{"X-Amzn-Oidc-Data": {tok}}
			return e
		}, status: 401},
		{name: "rejected token", event: func(t *testing.T, s *albSetup, multi bool) events.ALBTargetGroupRequest {
			return s.alb.Event("GET", "/", s.sign(t, nil, map[string]any{"signer": otherRegionARN}), multi)
		}, status: 401},
		{name: "expired token", event: func(t *testing.T, s *albSetup, multi bool) events.ALBTargetGroupRequest {
			return s.alb.Event("GET", "/", s.sign(t, nil, map[string]any{"exp": s.clock.Now().Add(-time.Minute).Unix()}), multi)
		}, status: 401},
		{name: "key endpoint outage", before: func(s *albSetup) { s.alb.FailKeys(http.StatusInternalServerError) }, status: 503},
		{name: "key endpoint outage, multi-value headers", multi: true, before: func(s *albSetup) { s.alb.FailKeys(http.StatusBadGateway) }, status: 503},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newALBSetup(t, nil)
			if tc.before != nil {
				tc.before(s)
			}
			var e events.ALBTargetGroupRequest
			if tc.event != nil {
				e = tc.event(t, s, tc.multi)
			} else {
				e = s.alb.Event("GET", "/", s.sign(t, nil, nil), tc.multi)
			}
			var called bool
			resp, err := s.v.WrapALB(albEcho(&called))(ctx(t), e)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status || called != tc.called {
				t.Fatalf("status %d called %v, want %d %v (%s)", resp.StatusCode, called, tc.status, tc.called, resp.Body)
			}
			if tc.called {
				if resp.Body != "user-1" {
					t.Fatalf("body %q", resp.Body)
				}
				return
			}
			want := `{"message":"` + http.StatusText(tc.status) + `"}`
			if resp.Body != want || resp.StatusDescription == "" {
				t.Fatalf("response %+v", resp)
			}
			if len(e.MultiValueHeaders) > 0 {
				if resp.MultiValueHeaders["Content-Type"] == nil || resp.Headers != nil {
					t.Fatalf("headers not in MultiValueHeaders: %+v", resp)
				}
			} else if resp.Headers["Content-Type"] == "" || resp.MultiValueHeaders != nil {
				t.Fatalf("headers not in Headers: %+v", resp)
			}
		})
	}
}

// TestWrapALBHandlerError checks that the handler's own answers and errors
// pass through unchanged.
func TestWrapALBHandlerError(t *testing.T) {
	s := newALBSetup(t, nil)
	boom := errors.New("boom")
	h := s.v.WrapALB(func(context.Context, events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		return events.ALBTargetGroupResponse{}, boom
	})
	if _, err := h(ctx(t), s.alb.Event("GET", "/", s.sign(t, nil, nil), false)); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if _, ok := authorizer.ClaimsFromContext(context.Background()); ok {
		t.Fatal("claims in an empty context")
	}
}

// TestWrapALBComposition runs the wrapper inside cors.WrapALB, with the
// client certificate of a listener in mutual TLS verify mode read by
// mtls.Validator.FromALB in the handler.
func TestWrapALBComposition(t *testing.T) {
	s := newALBSetup(t, nil)
	c, err := cors.New(cors.Options{AllowedOrigins: []string{"https://app.example.com"}, AllowCredentials: true})
	if err != nil {
		t.Fatal(err)
	}
	pki, err := mtlstest.NewPKI(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	certs, err := mtls.NewValidator(mtls.Config{
		TrustStore: pki.TrustStorePEM(), CRLs: pki.CRLsPEM(), AllowAny: true,
		Clock: func() time.Time { return pki.At },
	})
	if err != nil {
		t.Fatal(err)
	}
	h := c.WrapALB(s.v.WrapALB(func(ctx context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		claims, _ := authorizer.ClaimsFromContext(ctx)
		id, err := certs.FromALB(req)
		if err != nil {
			return events.ALBTargetGroupResponse{StatusCode: 403}, nil
		}
		return events.ALBTargetGroupResponse{StatusCode: 200, Body: claims.Subject + " " + id.CommonName}, nil
	}))
	event := func(tok string, cert *mtlstest.Cert) events.ALBTargetGroupRequest {
		e := mtlstest.NewALBVerified(cert)
		e.Headers["origin"] = "https://app.example.com"
		if tok != "" {
			e.Headers["x-amzn-oidc-data"] = tok
		}
		return e
	}
	tok := s.sign(t, nil, nil)
	for _, tc := range []struct {
		name   string
		e      events.ALBTargetGroupRequest
		status int
		body   string
	}{
		{"token and certificate", event(tok, pki.Good), 200, "user-1 client-good"},
		{"token, no certificate", event(tok, nil), 403, ""},
		{"certificate, no token", event("", pki.Good), 401, `{"message":"Unauthorized"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := h(ctx(t), tc.e)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status || resp.Body != tc.body {
				t.Fatalf("got %d %q, want %d %q", resp.StatusCode, resp.Body, tc.status, tc.body)
			}
			if resp.Headers["Access-Control-Allow-Origin"] != "https://app.example.com" {
				t.Fatalf("no CORS headers: %+v", resp.Headers)
			}
		})
	}
}
