package testpeer

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Rotator is the rotation function that [SecretsManager] invokes for
// RotateSecret: it receives each step's event, the JSON document
// {"Step", "SecretId", "ClientRequestToken", "RotationToken"} that Secrets
// Manager sends, and returns the function's error, if any (a Lambda
// function error included). [InvokeRotator] builds one from a function
// running under aws-lambda-rie.
type Rotator func(ctx context.Context, event []byte) error

// RotationSteps are the four steps of the Secrets Manager rotation
// protocol, in the order RotateSecret invokes them.
var RotationSteps = []string{"createSecret", "setSecret", "testSecret", "finishSecret"}

// SetRotator makes RotateSecret invoke r, and marks every secret as having
// rotation enabled (DescribeSecret's RotationEnabled). A nil r turns
// rotation off.
func (s *SecretsManager) SetRotator(r Rotator) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rotator = r
}

// RotationErrors returns the step failures of every RotateSecret so far, in
// order. As in AWS, a failed step does not fail the RotateSecret call, which
// answers once it has invoked the function: the failure shows in the
// function's logs and here.
func (s *SecretsManager) RotationErrors() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.rotErrs)
}

// InvokeRotator returns a [Rotator] that invokes f, a rotation function
// running under aws-lambda-rie, and turns a function error (a response with
// errorMessage) into an error.
func InvokeRotator(f *Function) Rotator {
	return func(ctx context.Context, event []byte) error {
		body, err := f.Invoke(ctx, event)
		if err != nil {
			return err
		}
		var out struct {
			ErrorMessage string `json:"errorMessage"`
			ErrorType    string `json:"errorType"`
		}
		if json.Unmarshal(body, &out) == nil && (out.ErrorMessage != "" || out.ErrorType != "") {
			return fmt.Errorf("testpeer: rotation function error %s: %s", out.ErrorType, out.ErrorMessage)
		}
		return nil
	}
}

// VersionStages returns the staging labels of each version of secret name
// that has one, as DescribeSecret's VersionIdsToStages does.
func (s *SecretsManager) VersionStages(name string) map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]string{}
	if sec := s.find(name); sec != nil {
		for _, v := range sec.versions {
			if len(v.stages) > 0 {
				out[v.id] = slices.Clone(v.stages)
			}
		}
	}
	return out
}

// OpCalls returns how many requests named the operation op, such as
// "DescribeSecret" or "GetSecretValue" (the X-Amz-Target without its
// service prefix), faults included.
func (s *SecretsManager) OpCalls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ops[op]
}

func (s *SecretsManager) countOp(target string) {
	_, op, _ := strings.Cut(target, ".")
	s.mu.Lock()
	if s.ops == nil {
		s.ops = map[string]int{}
	}
	s.ops[op]++
	s.mu.Unlock()
}

// serviceOf returns the SigV4 signing name of the service that r's
// X-Amz-Target addresses.
func serviceOf(r *http.Request) string {
	if strings.HasPrefix(r.Header.Get("X-Amz-Target"), "AmazonSSM.") {
		return "ssm"
	}
	return "secretsmanager"
}

// operation returns the handler of an X-Amz-Target other than
// GetSecretValue, or nil.
func (s *SecretsManager) operation(target string) func(http.ResponseWriter, *http.Request, []byte) {
	switch target {
	case "secretsmanager.DescribeSecret":
		return s.describeSecret
	case "secretsmanager.PutSecretValue":
		return s.putSecretValue
	case "secretsmanager.UpdateSecretVersionStage":
		return s.updateSecretVersionStage
	case "secretsmanager.RotateSecret":
		return s.rotateSecret
	case "secretsmanager.GetRandomPassword":
		return s.getRandomPassword
	case "AmazonSSM.GetParameter":
		return s.getParameter
	}
	return nil
}

// find returns the secret with name or ARN id. s.mu must be held.
func (s *SecretsManager) find(id string) *smSecret {
	if sec := s.secrets[id]; sec != nil {
		return sec
	}
	for _, c := range s.secrets {
		if c.arn == id {
			return c
		}
	}
	return nil
}

func (sec *smSecret) version(id string) *smVersion {
	for _, v := range sec.versions {
		if v.id == id {
			return v
		}
	}
	return nil
}

func (sec *smSecret) staged(stage string) *smVersion {
	for _, v := range sec.versions {
		if hasStage(v.stages, stage) {
			return v
		}
	}
	return nil
}

func notFound(w http.ResponseWriter) {
	writeSMError(w, http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
}

func (s *SecretsManager) describeSecret(w http.ResponseWriter, _ *http.Request, body []byte) {
	var in struct{ SecretId string }
	_ = json.Unmarshal(body, &in)
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.find(in.SecretId)
	if sec == nil {
		notFound(w)
		return
	}
	stages := map[string][]string{}
	for _, v := range sec.versions {
		if len(v.stages) > 0 {
			stages[v.id] = slices.Clone(v.stages)
		}
	}
	writeAWSJSON(w, http.StatusOK, map[string]any{
		"ARN": sec.arn, "Name": sec.name, "RotationEnabled": s.rotator != nil,
		"VersionIdsToStages": stages,
	})
}

// putSecretValue stores a new version. With a ClientRequestToken that names
// an existing version, it is idempotent: the same value succeeds without a
// change, another value is ResourceExistsException, and a version that
// RotateSecret created without a value receives it. VersionStages default
// to AWSCURRENT; a stage given here moves from whatever version had it,
// and AWSCURRENT moving makes the old current version AWSPREVIOUS.
func (s *SecretsManager) putSecretValue(w http.ResponseWriter, _ *http.Request, body []byte) {
	var in struct {
		SecretId           string
		ClientRequestToken string
		SecretString       *string
		SecretBinary       []byte
		VersionStages      []string
	}
	if err := json.Unmarshal(body, &in); err != nil {
		writeSMError(w, http.StatusBadRequest, "SerializationException", "")
		return
	}
	if (in.SecretString == nil) == (in.SecretBinary == nil) {
		writeSMError(w, http.StatusBadRequest, "InvalidParameterException", "You must provide either SecretString or SecretBinary.")
		return
	}
	if in.ClientRequestToken == "" {
		in.ClientRequestToken = requestID()
	}
	if len(in.VersionStages) == 0 {
		in.VersionStages = []string{"AWSCURRENT"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.find(in.SecretId)
	if sec == nil {
		notFound(w)
		return
	}
	v := sec.version(in.ClientRequestToken)
	switch {
	case v != nil && (v.str != nil || v.bin != nil):
		same := (v.str != nil && in.SecretString != nil && *v.str == *in.SecretString) ||
			(v.bin != nil && in.SecretBinary != nil && string(v.bin) == string(in.SecretBinary))
		if !same {
			writeSMError(w, http.StatusBadRequest, "ResourceExistsException",
				"You can't modify an existing version, you can only create a new version.")
			return
		}
	case v != nil:
		v.str, v.bin = in.SecretString, in.SecretBinary
	default:
		v = &smVersion{id: in.ClientRequestToken, str: in.SecretString, bin: in.SecretBinary, created: time.Now()}
		sec.versions = append(sec.versions, v)
	}
	for _, st := range in.VersionStages {
		sec.moveStage(st, v)
	}
	writeAWSJSON(w, http.StatusOK, map[string]any{"ARN": sec.arn, "Name": sec.name, "VersionId": v.id, "VersionStages": v.stages})
}

// moveStage attaches stage to v, removing it from every other version; when
// AWSCURRENT moves, the version that had it becomes AWSPREVIOUS.
func (sec *smSecret) moveStage(stage string, v *smVersion) {
	if hasStage(v.stages, stage) {
		return
	}
	old := sec.staged(stage)
	for _, o := range sec.versions {
		o.stages = removeStage(o.stages, stage)
	}
	v.stages = append(v.stages, stage)
	if stage == "AWSCURRENT" && old != nil {
		for _, o := range sec.versions {
			o.stages = removeStage(o.stages, "AWSPREVIOUS")
		}
		old.stages = append(old.stages, "AWSPREVIOUS")
	}
}

// updateSecretVersionStage moves or removes a staging label. As in AWS,
// RemoveFromVersionId must name the version that has the label when it is
// attached elsewhere, and moving AWSCURRENT makes its old version
// AWSPREVIOUS.
func (s *SecretsManager) updateSecretVersionStage(w http.ResponseWriter, _ *http.Request, body []byte) {
	var in struct {
		SecretId            string
		VersionStage        string
		MoveToVersionId     string
		RemoveFromVersionId string
	}
	_ = json.Unmarshal(body, &in)
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.find(in.SecretId)
	if sec == nil {
		notFound(w)
		return
	}
	if in.VersionStage == "" {
		writeSMError(w, http.StatusBadRequest, "InvalidParameterException", "VersionStage is required.")
		return
	}
	holder := sec.staged(in.VersionStage)
	if in.RemoveFromVersionId != "" && (holder == nil || holder.id != in.RemoveFromVersionId) {
		writeSMError(w, http.StatusBadRequest, "InvalidParameterException",
			"The parameter RemoveFromVersionId doesn't match the version that has the staging label.")
		return
	}
	if in.MoveToVersionId == "" {
		if holder != nil && in.RemoveFromVersionId != "" {
			if in.VersionStage == "AWSCURRENT" {
				writeSMError(w, http.StatusBadRequest, "InvalidParameterException", "You can't remove AWSCURRENT; move it instead.")
				return
			}
			holder.stages = removeStage(holder.stages, in.VersionStage)
		}
	} else {
		to := sec.version(in.MoveToVersionId)
		if to == nil || (to.str == nil && to.bin == nil) {
			writeSMError(w, http.StatusBadRequest, "ResourceNotFoundException",
				"Secrets Manager can't find the specified secret value for VersionId: "+in.MoveToVersionId)
			return
		}
		if holder != nil && holder != to && in.RemoveFromVersionId == "" {
			writeSMError(w, http.StatusBadRequest, "InvalidParameterException",
				"The staging label is attached to another version: give RemoveFromVersionId.")
			return
		}
		sec.moveStage(in.VersionStage, to)
	}
	writeAWSJSON(w, http.StatusOK, map[string]any{"ARN": sec.arn, "Name": sec.name})
}

// rotateSecret starts a rotation as AWS does: a new version with the
// ClientRequestToken as its ID (random when none is given) gets the
// AWSPENDING label and no value, then the rotation function is invoked for
// each step in turn, synchronously here, until one fails. A rotation is
// refused while another version than AWSCURRENT has AWSPENDING, unless the
// token names that version (which resumes it). The call answers with the
// new version ID whether or not a step failed; failures are in
// [SecretsManager.RotationErrors].
func (s *SecretsManager) rotateSecret(w http.ResponseWriter, r *http.Request, body []byte) {
	var in struct {
		SecretId           string
		ClientRequestToken string
	}
	_ = json.Unmarshal(body, &in)
	if in.ClientRequestToken == "" {
		in.ClientRequestToken = requestID()
	}
	s.mu.Lock()
	sec := s.find(in.SecretId)
	if sec == nil {
		s.mu.Unlock()
		notFound(w)
		return
	}
	rot := s.rotator
	if rot == nil {
		s.mu.Unlock()
		writeSMError(w, http.StatusBadRequest, "InvalidRequestException", "No Lambda rotation function ARN is associated with this secret.")
		return
	}
	if p := sec.staged("AWSPENDING"); p != nil && !hasStage(p.stages, "AWSCURRENT") && p.id != in.ClientRequestToken {
		s.mu.Unlock()
		writeSMError(w, http.StatusBadRequest, "InvalidRequestException", "A previous rotation isn't complete. That rotation will be reattempted.")
		return
	}
	v := sec.version(in.ClientRequestToken)
	if v == nil {
		v = &smVersion{id: in.ClientRequestToken, created: time.Now()}
		sec.versions = append(sec.versions, v)
	}
	sec.moveStage("AWSPENDING", v)
	arn, name := sec.arn, sec.name
	s.mu.Unlock()

	var failed error
	for _, step := range RotationSteps {
		event, _ := json.Marshal(map[string]string{
			"Step": step, "SecretId": arn, "ClientRequestToken": v.id, "RotationToken": requestID(),
		})
		if err := rot(r.Context(), event); err != nil {
			failed = fmt.Errorf("testpeer: rotation of %s failed at %s: %w", name, step, err)
			break
		}
	}
	s.mu.Lock()
	if failed != nil {
		s.rotErrs = append(s.rotErrs, failed)
	} else if hasStage(v.stages, "AWSCURRENT") {
		// As the service does once a rotation completes.
		v.stages = removeStage(v.stages, "AWSPENDING")
	} else {
		s.rotErrs = append(s.rotErrs, fmt.Errorf("testpeer: rotation of %s: finishSecret did not move AWSCURRENT", name))
	}
	s.mu.Unlock()
	writeAWSJSON(w, http.StatusOK, map[string]any{"ARN": arn, "Name": name, "VersionId": v.id})
}

// getRandomPassword answers GetRandomPassword with PasswordLength (32 by
// default) characters from the classes not excluded.
func (s *SecretsManager) getRandomPassword(w http.ResponseWriter, _ *http.Request, body []byte) {
	var in struct {
		PasswordLength     *int64
		ExcludeCharacters  string
		ExcludeNumbers     bool
		ExcludePunctuation bool
		ExcludeUppercase   bool
		ExcludeLowercase   bool
		IncludeSpace       bool
	}
	_ = json.Unmarshal(body, &in)
	n := int64(32)
	if in.PasswordLength != nil {
		n = *in.PasswordLength
	}
	if n < 1 || n > 4096 {
		writeSMError(w, http.StatusBadRequest, "InvalidParameterException", "PasswordLength must be between 1 and 4096.")
		return
	}
	var set string
	if !in.ExcludeLowercase {
		set += "abcdefghijklmnopqrstuvwxyz"
	}
	if !in.ExcludeUppercase {
		set += "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	}
	if !in.ExcludeNumbers {
		set += "0123456789"
	}
	if !in.ExcludePunctuation {
		set += "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
	}
	if in.IncludeSpace {
		set += " "
	}
	var chars []rune
	for _, c := range set {
		if !strings.ContainsRune(in.ExcludeCharacters, c) {
			chars = append(chars, c)
		}
	}
	if len(chars) == 0 {
		writeSMError(w, http.StatusBadRequest, "InvalidParameterException", "No characters are left to build a password from.")
		return
	}
	out := make([]rune, n)
	for i := range out {
		k, err := rand.Int(rand.Reader, big.NewInt(int64(len(chars))))
		if err != nil {
			writeSMError(w, http.StatusInternalServerError, "InternalServiceError", "")
			return
		}
		out[i] = chars[k.Int64()]
	}
	writeAWSJSON(w, http.StatusOK, map[string]string{"RandomPassword": string(out)})
}
