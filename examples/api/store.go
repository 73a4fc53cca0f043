package main

import (
	"context"
	"errors"
	"time"

	"github.com/seclambda/seclambda/secenv"
)

// errNotFound is returned for a note that does not exist, belongs to
// another owner, or does not decrypt for its place: the three are
// indistinguishable to the caller.
var errNotFound = errors.New("note not found")

// errMisplaced marks a note that exists but does not decrypt for its place
// (its owner and ID): its ciphertext was copied from elsewhere, or damaged.
// Get returns it together with errNotFound.
var errMisplaced = errors.New("note does not decrypt for its place")

// errExists is returned by Put for a note ID that the owner already has.
var errExists = errors.New("note exists")

// Note is one note of one owner. Its text is a Secret, which prints as a
// mask, until the handler puts it in the response.
type Note struct {
	ID      string
	Text    secenv.Secret
	Created time.Time
	ETag    string
}

// noteJSON is a note as the API answers it.
type noteJSON struct {
	ID      string    `json:"id"`
	Text    string    `json:"text"`
	Created time.Time `json:"created"`
	ETag    string    `json:"etag"`
}

func (n Note) response() noteJSON {
	return noteJSON{ID: n.ID, Text: n.Text.Reveal(), Created: n.Created, ETag: n.ETag}
}

// Store is the data tier. Every method is scoped to an owner, so that no
// caller can reach another's notes. Implementations must be safe for
// concurrent use.
type Store interface {
	// Put creates n; it fails with errExists rather than overwrite.
	Put(ctx context.Context, owner string, n Note) error
	// List returns the owner's notes, oldest first, leaving out any that
	// does not decrypt (and counting them in skipped).
	List(ctx context.Context, owner string) (notes []Note, skipped int, err error)
	// Get returns the owner's note id, or errNotFound (with errMisplaced
	// for a note that does not decrypt for its place).
	Get(ctx context.Context, owner, id string) (Note, error)
	Delete(ctx context.Context, owner, id string) error
}
