package testpeer_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"

	"github.com/seclambda/seclambda/internal/testpeer"
)

func TestProxyFaultsInFrontOfKMS(t *testing.T) {
	k := testpeer.StartKMS(t)
	keyID, _ := k.CreateKey(t)
	tests := []struct {
		name          string
		fault         testpeer.Fault
		n             int
		rate          float64 // InjectRandom's rate for fault
		wantRequests  int
		wantForwarded int
		wantCode      string
		wantFail      bool
	}{
		{name: "clean", wantRequests: 1, wantForwarded: 1},
		{name: "throttling then success", fault: testpeer.ThrottlingFault(), n: 2, wantRequests: 3, wantForwarded: 1},
		{name: "5xx then success", fault: testpeer.InternalFault("KMSInternalException"), n: 1, wantRequests: 2, wantForwarded: 1},
		{name: "dropped connection then success", fault: testpeer.DropFault(), n: 1, wantRequests: 2, wantForwarded: 1},
		{name: "random faults at rate 1", fault: testpeer.DropFault(), rate: 1, wantRequests: 3, wantForwarded: 0, wantFail: true},
		{name: "access denied not retried", fault: testpeer.Fault{Status: 400, Code: "AccessDeniedException", Message: "denied"}, n: 1, wantRequests: 1, wantCode: "AccessDeniedException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testpeer.StartProxy(t, k.Endpoint)
			client := k.NewClient(func(o *kms.Options) {
				o.BaseEndpoint = aws.String(p.URL)
				o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
					so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
				})
			})
			if tt.n > 0 {
				p.Inject(tt.n, tt.fault)
			}
			if tt.rate > 0 {
				p.InjectRandom(tt.rate, tt.fault)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := client.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(keyID), Plaintext: []byte("proxied")})
			if tt.wantCode != "" {
				var ae smithy.APIError
				if !errors.As(err, &ae) || ae.ErrorCode() != tt.wantCode {
					t.Fatalf("error = %v, want %s", err, tt.wantCode)
				}
			} else if tt.wantFail != (err != nil) {
				t.Fatalf("Encrypt through proxy: %v", err)
			}
			if p.Requests() != tt.wantRequests || p.Forwarded() != tt.wantForwarded {
				t.Fatalf("requests %d forwarded %d, want %d and %d", p.Requests(), p.Forwarded(), tt.wantRequests, tt.wantForwarded)
			}
		})
	}
}

func TestProxyLatencyAndConcurrency(t *testing.T) {
	k := testpeer.StartKMS(t)
	keyID, _ := k.CreateKey(t)
	p := testpeer.StartProxy(t, k.Endpoint)
	const delay = 50 * time.Millisecond
	p.SetLatency(delay)
	client := k.NewClient(func(o *kms.Options) { o.BaseEndpoint = aws.String(p.URL) })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = client.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(keyID), Plaintext: []byte("x")})
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < delay {
		t.Fatalf("4 calls took %v, less than the injected %v", el, delay)
	}
	if p.MaxInFlight() < 2 {
		t.Fatalf("MaxInFlight = %d, want concurrent requests", p.MaxInFlight())
	}
}
