package secenv

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
)

// parseSecretRef splits a secretsmanager field's value, "ID" or "ID#jsonKey", where
// ID is a secret name or ARN. Secret names and ARNs cannot contain '#'.
func parseSecretRef(raw string) (id, key string, err error) {
	id, key, hasKey := strings.Cut(strings.TrimSpace(raw), "#")
	if id == "" {
		return "", "", detail("empty secret ID", ErrInvalid)
	}
	if hasKey && key == "" {
		return "", "", detail("empty JSON key after #", ErrInvalid)
	}
	return id, key, nil
}

// getSecretClient fetches the current version of secret id with client c.
func getSecretClient(ctx context.Context, c SecretsManagerClient, id string) (secretPayload, error) {
	out, err := c.GetSecretValue(ctx, id)
	if err != nil {
		return secretPayload{}, smError(err)
	}
	if out == nil {
		return secretPayload{}, detail("empty response", ErrSecretsManager)
	}
	return payloadOf(out.SecretString, out.SecretBinary)
}

// payloadOf builds a payload from a GetSecretValue result.
func payloadOf(str *string, bin []byte) (secretPayload, error) {
	switch {
	case str != nil:
		return secretPayload{str: *str, hasStr: true}, nil
	case bin != nil:
		return secretPayload{bin: bin, isBin: true}, nil
	}
	return secretPayload{}, detail("secret has neither SecretString nor SecretBinary", ErrSecretsManager)
}

// smError classifies a GetSecretValue failure. The message carries the AWS
// error code, never the service's message.
func smError(err error) error {
	code := codeOf(err)
	cause := &awsCause{code: code, err: err}
	switch code {
	case "ResourceNotFoundException", "AccessDeniedException", "InvalidRequestException":
		return detail(code, ErrSecretsManager, ErrSecretNotFound, cause)
	case "":
		return transportError(err, ErrSecretsManager)
	}
	if retryable(code) {
		return detail(code, ErrSecretsManager, ErrUnavailable, cause)
	}
	return detail(code, ErrSecretsManager, cause)
}

// raw returns the whole secret as a string.
func (p secretPayload) raw() string {
	if p.isBin {
		return string(p.bin)
	}
	return p.str
}

// pick returns the secret, or with a key the value of that top-level key of
// the JSON object the secret holds: a JSON string is unquoted, and any other
// JSON value is returned as its compact JSON text.
func (p secretPayload) pick(key string) (string, error) {
	if key == "" {
		return p.raw(), nil
	}
	var data []byte
	if p.isBin {
		data = p.bin
	} else {
		data = []byte(p.str)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil || obj == nil {
		return "", detail("secret is not a JSON object", ErrSecretKey)
	}
	v, ok := obj[key]
	if !ok || string(v) == "null" {
		return "", detail("no such key", ErrSecretKey)
	}
	if len(v) > 0 && v[0] == '"' {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", detail("value does not parse", ErrSecretKey)
		}
		return s, nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, v); err != nil {
		return "", detail("value does not parse", ErrSecretKey)
	}
	return buf.String(), nil
}
