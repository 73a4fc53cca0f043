package main

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"
)

// errNotFound is returned for a note that does not exist or belongs to
// another owner: the two are indistinguishable to the caller.
var errNotFound = errors.New("note not found")

// Note is one note of one owner.
type Note struct {
	ID      string    `json:"id"`
	Text    string    `json:"text"`
	Created time.Time `json:"created"`
	ETag    string    `json:"etag"`
}

// Store is the data tier. Every method is scoped to an owner, so that no
// caller can reach another's notes. Implementations must be safe for
// concurrent use.
type Store interface {
	Put(ctx context.Context, owner string, n Note) error
	List(ctx context.Context, owner string) ([]Note, error)
	Get(ctx context.Context, owner, id string) (Note, error)
	Delete(ctx context.Context, owner, id string) error
}

// memStore keeps notes in memory.
type memStore struct {
	mu    sync.Mutex
	notes map[string]map[string]Note // owner -> id -> note
}

func newMemStore() *memStore { return &memStore{notes: map[string]map[string]Note{}} }

func (s *memStore) Put(_ context.Context, owner string, n Note) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.notes[owner] == nil {
		s.notes[owner] = map[string]Note{}
	}
	s.notes[owner][n.ID] = n
	return nil
}

func (s *memStore) List(_ context.Context, owner string) ([]Note, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Note, 0, len(s.notes[owner]))
	for _, n := range s.notes[owner] {
		out = append(out, n)
	}
	slices.SortFunc(out, func(a, b Note) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

func (s *memStore) Get(_ context.Context, owner, id string) (Note, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.notes[owner][id]
	if !ok {
		return Note{}, errNotFound
	}
	return n, nil
}

func (s *memStore) Delete(_ context.Context, owner, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.notes[owner][id]; !ok {
		return errNotFound
	}
	delete(s.notes[owner], id)
	return nil
}
