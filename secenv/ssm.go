package secenv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// SSMClient reads SSM Parameter Store parameters for ssm fields. Package
// secenv/secenvssm adapts the AWS SDK's *ssm.Client to it
// (secenvssm.WithClient) and builds the default one (secenvssm.Default). The rules of [KMSClient] apply: it
// honours ctx, is safe for concurrent use, and its errors are classified by
// their ErrorCode() string method. Its dynamic value should be comparable,
// so that the [Cache] can tell clients apart.
type SSMClient interface {
	// GetParameter returns parameter name, a name or ARN with an optional
	// ":version" or ":label" selector; secenv always asks for decryption.
	GetParameter(ctx context.Context, name string) (*Parameter, error)
}

// Parameter is one SSM parameter version.
type Parameter struct {
	// Value is the value, decrypted for a SecureString.
	Value string
	// Type is "String", "StringList" or "SecureString".
	Type string
	// Version is the parameter's version number.
	Version int64
}

// ParameterSecureString is the type of an encrypted SSM parameter. Its
// value is secret material: it loads only into a Secret or a [Live] field.
const ParameterSecureString = "SecureString"

// WithSSM sets the client that resolves ssm fields; nil leaves the one
// already set. secenvssm.Default() and secenvssm.WithClient call it. With
// [WithSecretsExtension], ssm fields are read through the extension and
// need no client.
func WithSSM(c SSMClient) Option {
	return func(o *options) {
		if c != nil {
			o.x.ssm = c
		}
	}
}

// Options returns an option that applies opts in order, so that several
// settings travel as one [Option].
func Options(opts ...Option) Option {
	return func(o *options) {
		for _, opt := range opts {
			if opt != nil {
				opt(o)
			}
		}
	}
}

// errNoSSM is the ErrConfig detail of an ssm field without a client.
var errNoSSM = errors.New("an ssm field needs an SSM client: pass secenvssm.Default(), secenvssm.WithClient(client) or secenv.WithSecretsExtension")

// ssmCachePrefix keeps parameters and secrets of one source apart in the
// cache.
const ssmCachePrefix = "\x00ssm:"

// getParameterClient reads parameter name with c.
func getParameterClient(ctx context.Context, c SSMClient, name string) (secretPayload, error) {
	out, err := c.GetParameter(ctx, name)
	if err != nil {
		return secretPayload{}, ssmError(err)
	}
	if out == nil {
		return secretPayload{}, detail("empty response", ErrSSM)
	}
	return paramPayload(out.Value, out.Type, out.Version), nil
}

func paramPayload(value, typ string, version int64) secretPayload {
	return secretPayload{str: value, hasStr: true, version: fmt.Sprint(version), secure: typ == ParameterSecureString}
}

// getParameterExtension reads parameter name through the extension at base.
func getParameterExtension(ctx context.Context, hc *http.Client, base, token, name string) (secretPayload, error) {
	u := base + "/systemsmanager/parameters/get?withDecryption=true&name=" + url.QueryEscape(name)
	body, err := extensionGet(ctx, hc, u, token, ErrSSM, paramExtensionError)
	if err != nil {
		return secretPayload{}, err
	}
	return parseParameterAnswer(body)
}

// parseParameterAnswer parses the extension's answer to a parameter read,
// {"Parameter": {"Value": ..., "Type": ..., "Version": ...}}.
func parseParameterAnswer(body []byte) (secretPayload, error) {
	var out struct {
		Parameter *struct {
			Value   *string
			Type    string
			Version int64
		}
	}
	if err := json.Unmarshal(body, &out); err != nil || out.Parameter == nil || out.Parameter.Value == nil {
		return secretPayload{}, detail("extension answer does not parse", ErrSSM)
	}
	return paramPayload(*out.Parameter.Value, out.Parameter.Type, out.Parameter.Version), nil
}

// paramExtensionError classifies a non-200 answer to a parameter read; the
// body is never reported.
func paramExtensionError(status int, body []byte) error {
	err := extensionError(status, body)
	code := fmt.Sprintf("extension HTTP %d", status)
	switch {
	case strings.Contains(string(body), "ParameterNotFound") || strings.Contains(string(body), "ParameterVersionNotFound"):
		return detail(code+" ParameterNotFound", ErrSSM, ErrSecretNotFound)
	case errors.Is(err, ErrSecretNotFound):
		return detail(code, ErrSSM, ErrSecretNotFound)
	case errors.Is(err, ErrUnavailable):
		return detail(code, ErrSSM, ErrUnavailable)
	}
	return detail(code, ErrSSM)
}

// ssmError classifies a GetParameter failure by its AWS error code.
func ssmError(err error) error {
	code := codeOf(err)
	cause := &awsCause{code: code, err: err}
	switch code {
	case "ParameterNotFound", "ParameterVersionNotFound", "AccessDeniedException", "InvalidKeyId":
		return detail(code, ErrSSM, ErrSecretNotFound, cause)
	case "":
		return transportError(err, ErrSSM)
	}
	if retryable(code) {
		return detail(code, ErrSSM, ErrUnavailable, cause)
	}
	return detail(code, ErrSSM, cause)
}
