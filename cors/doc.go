// Package cors applies CORS to API Gateway REST (v1), HTTP API (v2) and ALB
// events, with the decisions that github.com/rs/cors makes for net/http.
package cors
