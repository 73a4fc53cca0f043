package stack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/seclambda/seclambda/internal/testpeer"
)

// upstreamUser is the demo upstream's user, whose password is the api's
// upstream credential and rotates.
const upstreamUser = "notes"

// upstreamService is the demo's upstream: it counts the notifications the
// api sends with "Bearer <the user's password>", refuses others with 401,
// and serves the credential API that the rotator calls (GET
// /credentials/check and PUT /users/{user}/password, with HTTP Basic
// authentication; see rotator/main.go).
type upstreamService struct {
	notified *atomic.Int64 // notifications accepted
	refused  atomic.Int64  // notifications refused (stale credential)

	mu       sync.Mutex
	password string
}

func (u *upstreamService) current() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.password
}

func (u *upstreamService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	defer u.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/credentials/check",
		r.Method == http.MethodPut && r.URL.Path == "/users/"+upstreamUser+"/password":
		user, pass, ok := r.BasicAuth()
		if !ok || user != upstreamUser || pass != u.password {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if r.Method == http.MethodGet {
			w.WriteHeader(http.StatusOK)
			return
		}
		var in struct{ Password string }
		if json.NewDecoder(r.Body).Decode(&in) != nil || len(in.Password) < 16 {
			http.Error(w, "bad password", http.StatusBadRequest)
			return
		}
		u.password = in.Password
		w.WriteHeader(http.StatusNoContent)
	case r.Header.Get("Authorization") == "Bearer "+u.password:
		u.notified.Add(1)
		w.WriteHeader(http.StatusAccepted)
	default:
		u.refused.Add(1)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	}
}

// upstreamSecret is the Secrets Manager value of the upstream credential,
// in the form the rotator keeps.
func upstreamSecret(password string) string {
	b, _ := json.Marshal(map[string]string{"username": upstreamUser, "password": password})
	return string(b)
}

// startRotation makes the Secrets Manager server invoke the rotator
// function for RotateSecret.
func (s *Stack) startRotation(sm *testpeer.SecretsManager, secretARN string) {
	s.sm, s.secretARN = sm, secretARN
	sm.SetRotator(testpeer.InvokeRotator(s.funcs["rotator"]))
}

// rotationRows rotates the upstream credential with the rotator function
// (single-user strategy) while the api keeps being called: three calls
// before, calls while RotateSecret runs, and three after, so that the warm
// api holds the old password when the upstream starts refusing it. Every
// call must succeed, every notification must reach the upstream (the api
// retries a refused credential at once with the rotation's AWSPENDING value
// or the new AWSCURRENT one, secenv.Live.Do), and the old version must be
// AWSPREVIOUS afterwards.
func (s *Stack) rotationRows(ctx context.Context, post func() response) []Row {
	var rows []Row
	add := func(check, request, expected, actual string, ok bool) {
		rows = append(rows, Row{Check: check, Request: request, Expected: expected, Actual: actual, OK: ok})
	}
	current := func() string {
		for id, st := range s.sm.VersionStages(StackName + "/upstream") {
			if slices.Contains(st, "AWSCURRENT") {
				return id
			}
		}
		return ""
	}
	before := current()
	notified0, refused0 := s.upstream.Load(), s.up.refused.Load()
	errs0 := len(s.sm.RotationErrors())
	client := s.sm.NewClient()
	created, calls, after3 := 0, 0, 0
	var rotateErr error
	var last response
	rotated := make(chan error, 1)
	done := false
	for calls < 200 && (!done || after3 < 3) {
		if calls == 3 {
			go func() {
				_, err := client.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(s.secretARN)})
				rotated <- err
			}()
		}
		if calls >= 3 && !done {
			select {
			case rotateErr = <-rotated:
				done = true
			default:
			}
		} else if done {
			after3++
		}
		calls++
		if last = post(); last.status == http.StatusCreated {
			created++
		}
	}
	if !done {
		rotateErr = <-rotated
	}
	rotErrs := s.sm.RotationErrors()[errs0:]
	after := current()
	rotation := "finished"
	switch {
	case rotateErr != nil:
		rotation = "RotateSecret failed: " + rotateErr.Error()
	case len(rotErrs) > 0:
		rotation = "a step failed: " + rotErrs[0].Error()
	case after == before:
		rotation = "AWSCURRENT did not move"
	}
	add("credential rotation during calls", "POST /notes as alice, RotateSecret (rotator, single-user) from the 4th on",
		"every call 201, rotation finished", fmt.Sprintf("%d of %d x 201 (last %s), rotation %s", created, calls, last, rotation),
		created == calls && rotation == "finished")

	// The new password, for the row and for the log scan.
	newPassword := ""
	if out, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(s.secretARN)}); err == nil {
		var c struct{ Password string }
		if json.Unmarshal([]byte(aws.ToString(out.SecretString)), &c) == nil {
			newPassword = c.Password
		}
	}
	if newPassword != "" {
		s.mu.Lock()
		s.secrets = append(s.secrets, newPassword)
		s.mu.Unlock()
	}
	delivered, refused := s.upstream.Load()-notified0, s.up.refused.Load()-refused0
	add("api uses the rotated credential", "the upstream's count of notifications, by credential",
		"all delivered; each refusal retried at once",
		fmt.Sprintf("%d of %d delivered; %d refused; new one in use: %v", delivered, calls, refused,
			newPassword != "" && s.up.current() == newPassword),
		delivered == int64(calls) && refused >= 1 && newPassword != "" && s.up.current() == newPassword)

	stages := s.sm.VersionStages(StackName + "/upstream")
	add("old version is AWSPREVIOUS", "DescribeSecret's VersionIdsToStages after the rotation",
		"old: AWSPREVIOUS, new: AWSCURRENT",
		fmt.Sprintf("old: %s, new: %s", orNone(strings.Join(stages[before], ",")), orNone(strings.Join(stages[after], ","))),
		slices.Equal(stages[before], []string{"AWSPREVIOUS"}) && slices.Equal(stages[after], []string{"AWSCURRENT"}) && before != after)
	return rows
}
