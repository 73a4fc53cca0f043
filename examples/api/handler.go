package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seclambda/seclambda/authorizer"
	"github.com/seclambda/seclambda/redact"
	"github.com/seclambda/seclambda/secenv"
)

// maxNote bounds a note's text, in bytes.
const maxNote = 4096

type notesAPI struct {
	cfg    config
	store  Store
	log    *slog.Logger
	client *http.Client
	now    func() time.Time
}

func (a *notesAPI) handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	claims, err := authorizer.ClaimsFromEvent(req)
	if err != nil || claims.Subject == "" {
		// The JWT authorizer should have stopped this request; refuse
		// rather than serve an anonymous caller.
		a.log.WarnContext(ctx, "request without verified claims", "route", req.RouteKey)
		return jsonResponse(http.StatusUnauthorized, message("Unauthorized")), nil
	}
	owner := claims.Subject
	id := req.PathParameters["id"]
	switch req.RouteKey {
	case "GET /notes":
		notes, skipped, err := a.store.List(ctx, owner)
		if err != nil {
			return a.fail(ctx, err)
		}
		texts := make([]secenv.Secret, 0, len(notes))
		out := make([]noteJSON, 0, len(notes))
		for _, n := range notes {
			texts = append(texts, n.Text)
			out = append(out, n.response())
		}
		log := a.invocationLog(texts...)
		if skipped > 0 {
			log.WarnContext(ctx, "notes that do not decrypt for their place were left out", "owner", owner, "count", skipped)
		}
		return jsonResponse(http.StatusOK, map[string]any{"notes": out}), nil
	case "POST /notes":
		return a.create(ctx, owner, req)
	case "GET /notes/{id}":
		n, err := a.store.Get(ctx, owner, id)
		if errors.Is(err, errMisplaced) {
			// Never another owner's text: the note is not found.
			a.log.WarnContext(ctx, "note does not decrypt for its place", "owner", owner, "id", id)
		}
		if errors.Is(err, errNotFound) {
			return jsonResponse(http.StatusNotFound, message("Not Found")), nil
		}
		if err != nil {
			return a.fail(ctx, err)
		}
		a.invocationLog(n.Text).InfoContext(ctx, "note read", "owner", owner, "id", n.ID)
		resp := jsonResponse(http.StatusOK, n.response())
		resp.Headers["ETag"] = `"` + n.ETag + `"`
		return resp, nil
	case "DELETE /notes/{id}":
		err := a.store.Delete(ctx, owner, id)
		if errors.Is(err, errNotFound) {
			return jsonResponse(http.StatusNotFound, message("Not Found")), nil
		}
		if err != nil {
			return a.fail(ctx, err)
		}
		return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusNoContent, Headers: map[string]string{}}, nil
	}
	return jsonResponse(http.StatusNotFound, message("Not Found")), nil
}

func (a *notesAPI) create(ctx context.Context, owner string, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if req.IsBase64Encoded {
		return jsonResponse(http.StatusBadRequest, message("body must be JSON text")), nil
	}
	var in struct {
		Text string `json:"text"`
	}
	dec := json.NewDecoder(strings.NewReader(req.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return jsonResponse(http.StatusBadRequest, message("body must be {\"text\": \"...\"}")), nil
	}
	if in.Text == "" || len(in.Text) > maxNote || !utf8.ValidString(in.Text) {
		return jsonResponse(http.StatusBadRequest, message("text must be 1 to 4096 bytes of UTF-8")), nil
	}
	now := time.Now
	if a.now != nil {
		now = a.now
	}
	n := Note{ID: newID(), Text: secenv.NewSecret(in.Text), Created: now().UTC()}
	n.ETag = a.etag(owner, n)
	log := a.invocationLog(n.Text)
	if err := a.store.Put(ctx, owner, n); err != nil {
		log.ErrorContext(ctx, "store failed", "err", err)
		return jsonResponse(http.StatusInternalServerError, message("Internal Server Error")), nil
	}
	log.InfoContext(ctx, "note created", "owner", owner, "id", n.ID)
	a.notify(ctx, n)
	return jsonResponse(http.StatusCreated, n.response()), nil
}

// etag signs the note with the KMS-decrypted signing key, so that an ETag
// cannot be forged or carried over to another owner's note.
func (a *notesAPI) etag(owner string, n Note) string {
	m := hmac.New(sha256.New, a.cfg.SigningKey.RevealBytes())
	m.Write([]byte(owner + "\x00" + n.ID + "\x00" + n.Text.Reveal()))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// notify tells the upstream service about a new note, with the Secrets
// Manager credential. It is best effort: a failure is logged, by status,
// never with the credential. The credential is a secenv.Live, so a rotated
// one is picked up within the cache TTL; and when the upstream refuses the
// one in hand (401, as after a single-user rotation), Live.Do refreshes it
// at once, rate-limited, and sends the notification once more.
func (a *notesAPI) notify(ctx context.Context, n Note) {
	if a.cfg.UpstreamURL == "" {
		return
	}
	body, _ := json.Marshal(map[string]string{"id": n.ID})
	status := 0
	err := a.cfg.Upstream.Do(ctx, func(err error) bool { return errors.Is(err, errUpstreamRefused) }, func(cred secenv.Secret) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.cfg.UpstreamURL, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+cred.Reveal())
		req.Header.Set("Content-Type", "application/json")
		resp, err := a.client.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if status = resp.StatusCode; status == http.StatusUnauthorized {
			a.log.WarnContext(ctx, "upstream refused the credential; refreshing it")
			return errUpstreamRefused
		}
		return nil
	})
	if err != nil {
		a.log.WarnContext(ctx, "upstream notification failed", "err", err, "status", status)
		return
	}
	a.log.InfoContext(ctx, "upstream notified", "status", status)
}

// errUpstreamRefused is a 401 from the upstream service.
var errUpstreamRefused = errors.New("api: the upstream refused the credential")

// invocationLog returns the logger for the rest of one invocation: a.log,
// which masks every value in redact.Default(), behind a handler that also
// masks the note texts this invocation handles, registered for this
// invocation only (a process-wide registry would grow with every note).
// Texts shorter than redact.MinSecretLen bytes cannot be masked without
// masking ordinary words and are left out.
func (a *notesAPI) invocationLog(texts ...secenv.Secret) *slog.Logger {
	reg := redact.NewRegistry()
	vals := make([]string, 0, len(texts))
	for _, t := range texts {
		vals = append(vals, t.Reveal())
	}
	_ = reg.Add(vals...) // only ErrTooShort, for the texts left out
	return slog.New(redact.NewHandler(a.log.Handler(), redact.WithRegistry(reg)))
}

func (a *notesAPI) fail(ctx context.Context, err error) (events.APIGatewayV2HTTPResponse, error) {
	a.log.ErrorContext(ctx, "store failed", "err", err)
	return jsonResponse(http.StatusInternalServerError, message("Internal Server Error")), nil
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func message(m string) map[string]string { return map[string]string{"message": m} }

func jsonResponse(status int, body any) events.APIGatewayV2HTTPResponse {
	b, err := json.Marshal(body)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"message":"Internal Server Error"}`)
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(b),
	}
}
