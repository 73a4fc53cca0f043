package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seclambda/seclambda/internal/testpeer"
)

// TestUnderRIE builds the function as bootstrap and runs it under
// aws-lambda-rie, the way every example is tested.
func TestUnderRIE(t *testing.T) {
	fn := testpeer.StartFunction(t, testpeer.BuildFunction(t, ".", "."), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	event := `{"version":"2.0","routeKey":"GET /","rawPath":"/","requestContext":{"http":{"method":"GET","path":"/"}}}`
	body, err := fn.Invoke(ctx, []byte(event))
	if err != nil {
		t.Fatalf("Invoke: %v\n%s", err, fn.Output())
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatalf("response %s: %v", body, err)
	}
	if resp.StatusCode != 200 || resp.Body != "hello" {
		t.Fatalf("response = %d %q, want 200 %q", resp.StatusCode, resp.Body, "hello")
	}
}
