package redact

import "errors"

// ErrTooShort is returned by [Registry.Add] for a value shorter than
// [MinSecretLen] bytes. Such a value is not registered: masking every
// occurrence of a 1–3 byte string would destroy logs without protecting
// anything worth protecting.
var ErrTooShort = errors.New("redact: secret shorter than 4 bytes is not registered")
