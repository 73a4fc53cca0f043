// Command rotator is a Secrets Manager rotation function in Go: it
// implements the four steps of the rotation protocol (createSecret,
// setSecret, testSecret, finishSecret) for the credential that the notes
// API sends to its upstream service, with either rotation strategy:
//
//   - single-user (ROTATION_STRATEGY=single-user, the default): one user
//     whose password changes. setSecret authenticates as the user with its
//     current password and sets the new one; between setSecret and the
//     moment a caller sees the new AWSCURRENT, the caller's old password is
//     refused, which secenv.Live.Do turns into one refresh and one retry;
//   - alternating users (ROTATION_STRATEGY=alternating-users): two users,
//     NAME and NAME_clone; each rotation sets a new password on the user
//     that is not current, authenticating with the admin credential in
//     MASTER_SECRET_ARN, so the old credential keeps working until the next
//     rotation and callers never see a refusal.
//
// The secret is a JSON object {"username": ..., "password": ...} (more
// keys are kept). The upstream's credential API, at UPSTREAM_ADMIN_URL, has
// two calls, both with HTTP Basic authentication:
//
//	GET  /credentials/check          200 when the credential is valid
//	PUT  /users/{username}/password  {"password": NEW}, 204 when set
//
// The function follows the protocol as the AWS rotation templates do: it
// refuses a secret without rotation enabled, a ClientRequestToken that is
// not a version of the secret, or one that is not AWSPENDING; a token that
// is already AWSCURRENT is a finished rotation and succeeds without a
// change. Each step is idempotent: createSecret keeps an AWSPENDING value
// that exists, setSecret does nothing when the pending credential already
// works, and finishSecret does nothing when the version is already
// AWSCURRENT. AWSCURRENT moves only in finishSecret, after testSecret has
// proved the new credential, so a failed step leaves callers on the
// current one. It never logs a secret value nor the event's RotationToken;
// credentials are registered with redact.Default() and the function logs
// through redact.NewLogger, which scrubs them if one slips into a line.
//
// Permissions (see template.yaml): secretsmanager:DescribeSecret,
// GetSecretValue, PutSecretValue and UpdateSecretVersionStage on the one
// secret (and GetSecretValue on the master secret), and
// secretsmanager:GetRandomPassword, which AWS supports only on "*".
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/seclambda/seclambda/redact"
)

// Staging labels of the rotation protocol.
const (
	stageCurrent = "AWSCURRENT"
	stagePending = "AWSPENDING"
)

func main() {
	log := redact.NewLogger(os.Stdout)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	awsCfg, err := config.LoadDefaultConfig(ctx)
	cancel()
	if err != nil {
		log.Error("init failed", "err", err)
		os.Exit(1)
	}
	r, err := newRotator(secretsmanager.NewFromConfig(awsCfg), os.Getenv, log)
	if err != nil {
		log.Error("init failed", "err", err)
		os.Exit(1)
	}
	lambda.Start(r.handle)
}

// smAPI is the part of the Secrets Manager API the rotator uses.
type smAPI interface {
	DescribeSecret(ctx context.Context, in *secretsmanager.DescribeSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error)
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	PutSecretValue(ctx context.Context, in *secretsmanager.PutSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error)
	UpdateSecretVersionStage(ctx context.Context, in *secretsmanager.UpdateSecretVersionStageInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.UpdateSecretVersionStageOutput, error)
	GetRandomPassword(ctx context.Context, in *secretsmanager.GetRandomPasswordInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetRandomPasswordOutput, error)
}

// rotator holds the function's settings, read once at cold start.
type rotator struct {
	sm          smAPI
	log         *slog.Logger
	alternating bool
	master      string // MASTER_SECRET_ARN, for alternating users
	upstream    string // UPSTREAM_ADMIN_URL
	http        *http.Client
	exclude     string // characters the upstream does not accept in passwords
}

// Errors of the protocol checks. Their messages name the step and the
// version ID, never a value.
var (
	errConfig       = errors.New("rotator: invalid configuration")
	errNotEnabled   = errors.New("rotator: rotation is not enabled for the secret")
	errNoVersion    = errors.New("rotator: the ClientRequestToken is not a version of the secret")
	errNotPending   = errors.New("rotator: the version is not AWSPENDING")
	errBadEvent     = errors.New("rotator: invalid rotation event")
	errRefused      = errors.New("rotator: the upstream refused the credential")
	errUpstream     = errors.New("rotator: the upstream credential API failed")
	errSecretFormat = errors.New("rotator: the secret is not a JSON object with username and password")
)

func newRotator(sm smAPI, getenv func(string) string, log *slog.Logger) (*rotator, error) {
	r := &rotator{sm: sm, log: log, upstream: strings.TrimRight(getenv("UPSTREAM_ADMIN_URL"), "/"),
		http: &http.Client{Timeout: 5 * time.Second}, exclude: getenv("EXCLUDE_CHARACTERS")}
	if r.exclude == "" {
		r.exclude = `:/@"'\`
	}
	switch s := getenv("ROTATION_STRATEGY"); s {
	case "", "single-user":
	case "alternating-users":
		r.alternating = true
		r.master = getenv("MASTER_SECRET_ARN")
		if r.master == "" {
			return nil, fmt.Errorf("%w: alternating-users needs MASTER_SECRET_ARN", errConfig)
		}
	default:
		return nil, fmt.Errorf("%w: ROTATION_STRATEGY must be single-user or alternating-users", errConfig)
	}
	if u, err := url.Parse(r.upstream); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%w: UPSTREAM_ADMIN_URL must be an http(s) URL", errConfig)
	}
	return r, nil
}

// handle runs one rotation step. The event's RotationToken is not used
// and never logged.
func (r *rotator) handle(ctx context.Context, ev events.SecretsManagerSecretRotationEvent) error {
	if ev.SecretID == "" || ev.ClientRequestToken == "" {
		return fmt.Errorf("%w: SecretId and ClientRequestToken are required", errBadEvent)
	}
	step := ev.Step
	switch step {
	case "createSecret", "setSecret", "testSecret", "finishSecret":
	default:
		return fmt.Errorf("%w: unknown step", errBadEvent)
	}
	log := r.log.With("step", step, "secret", ev.SecretID, "version", ev.ClientRequestToken)
	d, err := r.sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(ev.SecretID)})
	if err != nil {
		return fmt.Errorf("rotator: %s: DescribeSecret: %w", step, err)
	}
	if !aws.ToBool(d.RotationEnabled) {
		return errNotEnabled
	}
	stages, ok := d.VersionIdsToStages[ev.ClientRequestToken]
	if !ok {
		return fmt.Errorf("%w (%s)", errNoVersion, step)
	}
	if slices.Contains(stages, stageCurrent) {
		log.Info("version is already AWSCURRENT: nothing to do")
		return nil
	}
	if !slices.Contains(stages, stagePending) {
		return fmt.Errorf("%w (%s)", errNotPending, step)
	}
	switch step {
	case "createSecret":
		err = r.createSecret(ctx, log, ev)
	case "setSecret":
		err = r.setSecret(ctx, log, ev)
	case "testSecret":
		err = r.testSecret(ctx, ev)
	case "finishSecret":
		err = r.finishSecret(ctx, log, ev, d.VersionIdsToStages)
	}
	if err != nil {
		log.Error("step failed", "err", err)
		return err
	}
	log.Info("step done")
	return nil
}

// credential is the secret's JSON object; other keys are kept as they are.
type credential struct {
	Username string
	Password string
	rest     map[string]json.RawMessage
}

func parseCredential(s *string) (credential, error) {
	var m map[string]json.RawMessage
	if s == nil || json.Unmarshal([]byte(*s), &m) != nil {
		return credential{}, errSecretFormat
	}
	var c credential
	if json.Unmarshal(m["username"], &c.Username) != nil || json.Unmarshal(m["password"], &c.Password) != nil || c.Username == "" {
		return credential{}, errSecretFormat
	}
	// Whatever a log line might hold by mistake is scrubbed.
	_ = redact.Default().Add(c.Password)
	c.rest = m
	return c, nil
}

func (c credential) marshal() (string, error) {
	m := make(map[string]json.RawMessage, len(c.rest)+2)
	for k, v := range c.rest {
		m[k] = v
	}
	u, _ := json.Marshal(c.Username)
	p, _ := json.Marshal(c.Password)
	m["username"], m["password"] = u, p
	b, err := json.Marshal(m)
	return string(b), err
}

// get reads a version of a secret by stage, or by ID and stage.
func (r *rotator) get(ctx context.Context, id, versionID, stage string) (credential, error) {
	in := &secretsmanager.GetSecretValueInput{SecretId: aws.String(id), VersionStage: aws.String(stage)}
	if versionID != "" {
		in.VersionId = aws.String(versionID)
	}
	out, err := r.sm.GetSecretValue(ctx, in)
	if err != nil {
		return credential{}, err
	}
	return parseCredential(out.SecretString)
}

// createSecret stores a new credential as AWSPENDING under the token,
// unless that version already has a value.
func (r *rotator) createSecret(ctx context.Context, log *slog.Logger, ev events.SecretsManagerSecretRotationEvent) error {
	cur, err := r.get(ctx, ev.SecretID, "", stageCurrent)
	if err != nil {
		return fmt.Errorf("rotator: createSecret: read AWSCURRENT: %w", err)
	}
	_, err = r.get(ctx, ev.SecretID, ev.ClientRequestToken, stagePending)
	var nf *types.ResourceNotFoundException
	switch {
	case err == nil:
		log.Info("AWSPENDING already has a value: kept")
		return nil
	case !errors.As(err, &nf):
		return fmt.Errorf("rotator: createSecret: read AWSPENDING: %w", err)
	}
	next := cur
	if r.alternating {
		next.Username = otherUser(cur.Username)
	}
	pw, err := r.sm.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{
		PasswordLength: aws.Int64(32), ExcludeCharacters: aws.String(r.exclude)})
	if err != nil {
		return fmt.Errorf("rotator: createSecret: GetRandomPassword: %w", err)
	}
	next.Password = aws.ToString(pw.RandomPassword)
	_ = redact.Default().Add(next.Password)
	s, err := next.marshal()
	if err != nil {
		return fmt.Errorf("rotator: createSecret: %w", err)
	}
	if _, err := r.sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(ev.SecretID),
		ClientRequestToken: aws.String(ev.ClientRequestToken), SecretString: aws.String(s),
		VersionStages: []string{stagePending}}); err != nil {
		return fmt.Errorf("rotator: createSecret: PutSecretValue: %w", err)
	}
	return nil
}

// otherUser toggles the _clone suffix, as the AWS alternating-users
// templates do.
func otherUser(u string) string {
	if base, ok := strings.CutSuffix(u, "_clone"); ok {
		return base
	}
	return u + "_clone"
}

// setSecret sets the pending password on the upstream, unless it already
// works there.
func (r *rotator) setSecret(ctx context.Context, log *slog.Logger, ev events.SecretsManagerSecretRotationEvent) error {
	pending, err := r.get(ctx, ev.SecretID, ev.ClientRequestToken, stagePending)
	if err != nil {
		return fmt.Errorf("rotator: setSecret: read AWSPENDING: %w", err)
	}
	if err := r.check(ctx, pending); err == nil {
		log.Info("the pending credential already works: nothing to set")
		return nil
	} else if !errors.Is(err, errRefused) {
		return fmt.Errorf("rotator: setSecret: %w", err)
	}
	var auth credential
	if r.alternating {
		if auth, err = r.get(ctx, r.master, "", stageCurrent); err != nil {
			return fmt.Errorf("rotator: setSecret: read the master secret: %w", err)
		}
	} else if auth, err = r.get(ctx, ev.SecretID, "", stageCurrent); err != nil {
		return fmt.Errorf("rotator: setSecret: read AWSCURRENT: %w", err)
	}
	if err := r.setPassword(ctx, auth, pending); err != nil {
		return fmt.Errorf("rotator: setSecret: %w", err)
	}
	return nil
}

// testSecret proves that the pending credential works.
func (r *rotator) testSecret(ctx context.Context, ev events.SecretsManagerSecretRotationEvent) error {
	pending, err := r.get(ctx, ev.SecretID, ev.ClientRequestToken, stagePending)
	if err != nil {
		return fmt.Errorf("rotator: testSecret: read AWSPENDING: %w", err)
	}
	if err := r.check(ctx, pending); err != nil {
		return fmt.Errorf("rotator: testSecret: %w", err)
	}
	return nil
}

// finishSecret moves AWSCURRENT to the token's version; Secrets Manager
// moves AWSPREVIOUS to the old one.
func (r *rotator) finishSecret(ctx context.Context, log *slog.Logger, ev events.SecretsManagerSecretRotationEvent, versions map[string][]string) error {
	current := ""
	for id, stages := range versions {
		if slices.Contains(stages, stageCurrent) {
			current = id
		}
	}
	if current == ev.ClientRequestToken {
		log.Info("version is already AWSCURRENT")
		return nil
	}
	in := &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String(ev.SecretID),
		VersionStage: aws.String(stageCurrent), MoveToVersionId: aws.String(ev.ClientRequestToken)}
	if current != "" {
		in.RemoveFromVersionId = aws.String(current)
	}
	if _, err := r.sm.UpdateSecretVersionStage(ctx, in); err != nil {
		return fmt.Errorf("rotator: finishSecret: UpdateSecretVersionStage: %w", err)
	}
	return nil
}

// check asks the upstream whether c is valid: nil, errRefused, or
// errUpstream for any other answer.
func (r *rotator) check(ctx context.Context, c credential) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.upstream+"/credentials/check", nil)
	if err != nil {
		return fmt.Errorf("%w: %w", errUpstream, err)
	}
	req.SetBasicAuth(c.Username, c.Password)
	return r.do(req, http.StatusOK)
}

// setPassword sets next's password on the upstream, authenticated as auth.
func (r *rotator) setPassword(ctx context.Context, auth, next credential) error {
	body, _ := json.Marshal(map[string]string{"password": next.Password})
	req, err := http.NewRequestWithContext(ctx, http.MethodPut,
		r.upstream+"/users/"+url.PathEscape(next.Username)+"/password", strings.NewReader(string(body)))
	if err != nil {
		return fmt.Errorf("%w: %w", errUpstream, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(auth.Username, auth.Password)
	return r.do(req, http.StatusNoContent)
}

// do sends req and classifies the answer by status only: the body is not
// read into any message.
func (r *rotator) do(req *http.Request, want int) error {
	resp, err := r.http.Do(req)
	if err != nil {
		// A url.Error names the URL (no credential: Basic auth is a
		// header); keep only that the call failed.
		return fmt.Errorf("%w: %s %s: no answer", errUpstream, req.Method, req.URL.Path)
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode == want:
		return nil
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return errRefused
	}
	return fmt.Errorf("%w: %s %s: HTTP %d", errUpstream, req.Method, req.URL.Path, resp.StatusCode)
}
