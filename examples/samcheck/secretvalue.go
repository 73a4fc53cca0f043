package samcheck

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/seclambda/seclambda/redact"
)

// detectors are redact's pattern detectors, with the name env-secret-value
// gives each kind of credential.
var detectors = []struct {
	d    redact.Detector
	name string
}{
	{redact.DetectAWSAccessKeyID, "an AWS access key ID"},
	{redact.DetectAWSSecretKey, "an AWS secret access key"},
	{redact.DetectPEMPrivateKey, "a PEM private key"},
	{redact.DetectJWT, "a JWT"},
	{redact.DetectBearer, "a Bearer token"},
	{redact.DetectBasic, "HTTP Basic credentials"},
}

// marker is the mask detectCredential asks redact for; it cannot occur in a
// template value without also being a change that redact made.
const marker = "\x00samcheck\x00"

// detectCredential returns the kind of credential that one of redact's
// detectors finds in v, or "". redact exports its detectors only through
// its scrubbers, so v goes through a [redact.Writer] with an empty registry
// and one detector at a time, and a masked output means a match: the same
// patterns, with the same exceptions, that keep these values out of logs.
func detectCredential(v string) string {
	if v == "" || strings.Contains(v, marker) {
		return ""
	}
	for i, det := range detectors {
		var off []redact.Detector
		for j, other := range detectors {
			if j != i {
				off = append(off, other.d)
			}
		}
		var out bytes.Buffer
		w := redact.NewWriter(&out, redact.WithRegistry(redact.NewRegistry()), redact.WithMask(marker), redact.WithoutDetectors(off...))
		_, _ = w.Write([]byte(v))
		_ = w.Close()
		if strings.Contains(out.String(), marker) {
			return det.name
		}
	}
	return ""
}

// secretValues applies env-secret-value: whatever its name, no environment
// variable of a function or of Globals holds a credential in the clear.
func (c *checker) secretValues() {
	for _, set := range c.envSets() {
		for _, name := range sortedKeys(set.vars) {
			if kind := detectCredential(fmt.Sprint(set.vars[name])); kind != "" {
				c.add(set.owner, "env-secret-value", fmt.Sprintf("Environment variable %s holds %s in the clear; store it encrypted (a KMS ciphertext through a NoEcho parameter, or Secrets Manager) and rotate it", name, kind))
			}
		}
	}
}
