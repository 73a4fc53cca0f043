package redact

import "errors"

var (
	// ErrTooShort is returned by [Registry.Add] for a value shorter than
	// [MinSecretLen] bytes. Such a value is not registered: masking every
	// occurrence of a 1–3 byte string would destroy logs without protecting
	// anything worth protecting.
	ErrTooShort = errors.New("redact: secret shorter than 4 bytes is not registered")

	// ErrClosed is returned by [Writer.Write] and [Writer.Flush] after
	// [Writer.Close].
	ErrClosed = errors.New("redact: writer is closed")
)
