package cors_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seclambda/seclambda/cors"
)

// printHeaders prints headers sorted by name, one a line.
func printHeaders(h map[string]string) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Printf("  %s: %s\n", k, h[k])
	}
}

func ExampleNew() {
	_, err := cors.New(cors.Options{AllowedOrigins: []string{"*"}, AllowCredentials: true})
	fmt.Println(errors.Is(err, cors.ErrConfig), errors.Is(err, cors.ErrCredentialsWithAnyOrigin))

	_, err = cors.New(cors.Options{AllowedOrigins: []string{"https://app.example.com/"}})
	fmt.Println(err)

	_, err = cors.New(cors.Options{AllowedOrigins: []string{"null"}})
	fmt.Println(errors.Is(err, cors.ErrNullOrigin))
	// Output:
	// true true
	// cors: invalid origin in AllowedOrigins: AllowedOrigins[0] "https://app.example.com/": path or trailing slash
	// true
}

func ExampleCORS_WrapHTTPAPI() {
	c, err := cors.New(cors.Options{
		AllowedOrigins:   []string{"https://app.example.com"},
		AllowedMethods:   []string{"GET", "PUT"},
		AllowedHeaders:   []string{"Authorization", "Content-Type"},
		AllowCredentials: true,
		MaxAge:           600,
	})
	if err != nil {
		log.Fatal(err)
	}
	handler := c.WrapHTTPAPI(func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{
			StatusCode: 200,
			Headers:    map[string]string{"Content-Type": "application/json"},
			Body:       `{"items":[]}`,
		}, nil
	})
	// In main: lambda.Start(handler)

	// The browser's preflight, answered without calling the handler.
	var pre events.APIGatewayV2HTTPRequest
	pre.RequestContext.HTTP.Method = "OPTIONS"
	pre.Headers = map[string]string{
		"origin":                         "https://app.example.com",
		"access-control-request-method":  "PUT",
		"access-control-request-headers": "authorization,content-type",
	}
	resp, _ := handler(context.Background(), pre)
	fmt.Println("preflight", resp.StatusCode)
	printHeaders(resp.Headers)

	// The request itself.
	var get events.APIGatewayV2HTTPRequest
	get.RequestContext.HTTP.Method = "GET"
	get.Headers = map[string]string{"origin": "https://app.example.com"}
	resp, _ = handler(context.Background(), get)
	fmt.Println("GET", resp.StatusCode)
	printHeaders(resp.Headers)
	// Output:
	// preflight 204
	//   Access-Control-Allow-Credentials: true
	//   Access-Control-Allow-Headers: authorization,content-type
	//   Access-Control-Allow-Methods: PUT
	//   Access-Control-Allow-Origin: https://app.example.com
	//   Access-Control-Max-Age: 600
	//   Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers
	// GET 200
	//   Access-Control-Allow-Credentials: true
	//   Access-Control-Allow-Origin: https://app.example.com
	//   Content-Type: application/json
	//   Vary: Origin
}

func ExampleCORS_WrapREST() {
	c, err := cors.New(cors.Options{
		AllowedOrigins: []string{"https://*.example.com"},
		ExposedHeaders: []string{"X-Request-Id"},
	})
	if err != nil {
		log.Fatal(err)
	}
	handler := c.WrapREST(func(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		return events.APIGatewayProxyResponse{}, errors.New("database unavailable")
	})
	// In main: lambda.Start(handler)

	// REST keeps the client's header casing; lookups ignore it. The
	// handler's error becomes a 500 that the page can read.
	resp, err := handler(context.Background(), events.APIGatewayProxyRequest{
		HTTPMethod: "POST",
		Headers:    map[string]string{"Origin": "https://shop.example.com"},
	})
	fmt.Println(resp.StatusCode, resp.Body, err)
	printHeaders(resp.Headers)
	fmt.Println(resp.MultiValueHeaders["Access-Control-Allow-Origin"])
	// Output:
	// 500 {"message":"Internal Server Error"} <nil>
	//   Access-Control-Allow-Origin: https://shop.example.com
	//   Access-Control-Expose-Headers: X-Request-Id
	//   Content-Type: application/json
	//   Vary: Origin
	// [https://shop.example.com]
}

func ExampleCORS_WrapALB() {
	c, err := cors.New(cors.Options{AllowedOrigins: []string{"https://app.example.com"}})
	if err != nil {
		log.Fatal(err)
	}
	handler := c.WrapALB(func(ctx context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		return events.ALBTargetGroupResponse{StatusCode: 403, StatusDescription: "403 Forbidden"}, nil
	})
	// In main: lambda.Start(handler)

	// A target group with multi-value headers on: the answer uses
	// MultiValueHeaders too.
	resp, _ := handler(context.Background(), events.ALBTargetGroupRequest{
		HTTPMethod:        "GET",
		MultiValueHeaders: map[string][]string{"origin": {"https://app.example.com"}},
	})
	fmt.Println(resp.StatusDescription, resp.MultiValueHeaders["Access-Control-Allow-Origin"], resp.MultiValueHeaders["Vary"])

	// A disallowed origin gets no Access-Control-* headers, only Vary.
	resp, _ = handler(context.Background(), events.ALBTargetGroupRequest{
		HTTPMethod: "GET",
		Headers:    map[string]string{"origin": "https://app.example.com.evil.net"},
	})
	fmt.Println(resp.StatusDescription, resp.Headers)
	// Output:
	// 403 Forbidden [https://app.example.com] [Origin]
	// 403 Forbidden map[Vary:Origin]
}

func ExampleCORS_Headers() {
	c, err := cors.New(cors.Options{AllowedOrigins: []string{"https://app.example.com"}})
	if err != nil {
		log.Fatal(err)
	}
	// For a response built by hand, for example a Lambda function URL.
	h := map[string]string{"Content-Type": "text/plain"}
	for k, v := range c.Headers("https://app.example.com", "GET") {
		h[k] = v
	}
	printHeaders(h)
	// Output:
	//   Access-Control-Allow-Origin: https://app.example.com
	//   Content-Type: text/plain
	//   Vary: Origin
}

func ExampleCORS_PreflightHeaders() {
	c, err := cors.New(cors.Options{
		AllowedOrigins: []string{"https://app.example.com"},
		AllowedHeaders: []string{"Authorization"},
	})
	if err != nil {
		log.Fatal(err)
	}
	printHeaders(c.PreflightHeaders("https://app.example.com", "POST", "authorization"))
	fmt.Println(strings.Repeat("-", 3))
	printHeaders(c.PreflightHeaders("https://app.example.com", "POST", "x-not-allowed"))
	// Output:
	//   Access-Control-Allow-Headers: authorization
	//   Access-Control-Allow-Methods: POST
	//   Access-Control-Allow-Origin: https://app.example.com
	//   Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers
	// ---
	//   Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers
}
