package authorizer

import "testing"

// ALBKeyEndpoint returns the AWS key endpoint for a load balancer ARN.
func ALBKeyEndpoint(t testing.TB, arn string) string {
	t.Helper()
	partition, region, err := parseALBARN(arn)
	if err != nil {
		t.Fatal(err)
	}
	return albKeyEndpoint(partition, region)
}
