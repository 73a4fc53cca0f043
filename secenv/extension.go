package secenv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Extension configures [WithSecretsExtension]: secretsmanager and ssm
// fields (and [Live] values) are read through the AWS Parameters and
// Secrets Lambda Extension, which runs beside the function, keeps its own
// cache and answers on localhost. Each request carries the
// X-Aws-Parameters-Secrets-Token header set to $AWS_SESSION_TOKEN (read
// through [WithLookup]), as the extension requires.
//
// The zero Extension uses the extension's default endpoint and, when the
// extension is not running, falls back to the Secrets Manager or SSM client
// if one is set ([WithClients], [WithSSM], secenvaws.Default,
// secenvssm.Default). With the
// extension, a secretsmanager or ssm field needs no client.
type Extension struct {
	// Endpoint is the extension's base URL. Empty means
	// http://localhost:PORT, with PORT from
	// $PARAMETERS_SECRETS_EXTENSION_HTTP_PORT, or 2773 when that is unset.
	Endpoint string

	// HTTPClient sends the requests. Nil means a client that ignores proxy
	// settings (the extension is local) and gives up after 10 seconds.
	HTTPClient *http.Client

	// NoFallback makes an extension that does not accept connections an
	// error. By default Load then reads the secret with the Secrets Manager
	// client instead, when one is set, so that the same code runs with and
	// without the extension layer.
	NoFallback bool
}

// extensionPort is the extension's default HTTP port.
const extensionPort = "2773"

// extensionTokenHeader is the header that authenticates a request to the
// extension.
const extensionTokenHeader = "X-Aws-Parameters-Secrets-Token"

// maxExtensionBody bounds what Load reads from the extension: a secret is at
// most 64 KiB, so its JSON answer is far smaller than this.
const maxExtensionBody = 1 << 20

var extensionHTTPClient = &http.Client{
	Timeout:   10 * time.Second,
	Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: DefaultConcurrency},
}

// endpoint returns the extension's base URL.
func (e *Extension) endpoint(lookup func(string) (string, bool)) string {
	if e.Endpoint != "" {
		return strings.TrimRight(e.Endpoint, "/")
	}
	port, _ := lookup("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT")
	if port == "" {
		port = extensionPort
	}
	return "http://localhost:" + port
}

// errExtensionDown marks a failure to connect to the extension, which
// triggers the fallback to the SDK.
var errExtensionDown = errors.New("secenv: the secrets extension is not accepting connections")

// getSecretExtension fetches the current version of secret id through the
// extension at base.
func getSecretExtension(ctx context.Context, hc *http.Client, base, token, id string, sel versionSel) (secretPayload, error) {
	u := base + "/secretsmanager/get?secretId=" + url.QueryEscape(id)
	switch {
	case sel.id != "":
		u += "&versionId=" + url.QueryEscape(sel.id)
	case !sel.isDefault():
		u += "&versionStage=" + url.QueryEscape(sel.stage)
	}
	body, err := extensionGet(ctx, hc, u, token, ErrSecretsManager, extensionError)
	if err != nil {
		return secretPayload{}, err
	}
	var out struct {
		SecretString *string
		SecretBinary []byte
		VersionId    string
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return secretPayload{}, detail("extension answer does not parse", ErrSecretsManager)
	}
	p, err := payloadOf(out.SecretString, out.SecretBinary)
	p.version = out.VersionId
	return p, err
}

// extensionGet sends GET u with token to the extension (through hc, or
// extensionHTTPClient when nil) and returns the body of its 200 answer.
// Failures wrap service (ErrSecretsManager or ErrSSM); refused classifies
// an answer with another status.
func extensionGet(ctx context.Context, hc *http.Client, u, token string, service error, refused func(status int, body []byte) error) ([]byte, error) {
	if hc == nil {
		hc = extensionHTTPClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, detail("bad extension endpoint", service)
	}
	req.Header.Set(extensionTokenHeader, token)
	resp, err := hc.Do(req)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return nil, detail("extension not running", service, ErrUnavailable, errExtensionDown, &awsCause{code: "dial", err: err})
		}
		return nil, transportError(err, service)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxExtensionBody+1))
	if err != nil {
		return nil, transportError(err, service)
	}
	if len(body) > maxExtensionBody {
		return nil, detail("extension answer too large", service)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, refused(resp.StatusCode, body)
	}
	return body, nil
}

// extensionError classifies a non-200 answer from the extension by status
// and by the AWS error code it relays; the body itself is never reported.
func extensionError(status int, body []byte) error {
	code := fmt.Sprintf("extension HTTP %d", status)
	for _, c := range []string{"ResourceNotFoundException", "AccessDeniedException", "ThrottlingException", "InvalidRequestException"} {
		if strings.Contains(string(body), c) {
			code += " " + c
			switch c {
			case "ThrottlingException":
				return detail(code, ErrSecretsManager, ErrUnavailable)
			default:
				return detail(code, ErrSecretsManager, ErrSecretNotFound)
			}
		}
	}
	switch {
	case status == http.StatusNotFound:
		return detail(code, ErrSecretsManager, ErrSecretNotFound)
	case status == http.StatusTooManyRequests || status >= 500:
		return detail(code, ErrSecretsManager, ErrUnavailable)
	case strings.Contains(string(body), "not ready"):
		return detail(code+" not ready", ErrSecretsManager, ErrUnavailable)
	}
	return detail(code, ErrSecretsManager)
}
