package redact

import "sync"

// Detector selects pattern detectors: rules that mask well-known kinds of
// credential even when nobody registered them. Detectors are combined with
// |. All of them are on by default; [WithoutDetectors] turns some or all
// off.
type Detector uint8

// The detectors. Each masks only the credential itself, so the text around
// it stays readable.
const (
	// DetectJWT masks compact JWS and JWE tokens: a base64url header that
	// starts with eyJ (the encoding of `{"`), then two or four more
	// dot-separated base64url segments.
	DetectJWT Detector = 1 << iota
	// DetectBearer masks the credential after "Bearer " (any case, one or
	// more spaces or tabs), as in an Authorization header.
	DetectBearer
	// DetectAWSAccessKeyID masks AWS access key IDs: AKIA, ASIA, ABIA or
	// ACCA followed by 16 upper-case letters or digits.
	DetectAWSAccessKeyID
	// DetectAWSSecretKey masks AWS secret access keys: a run of exactly 40
	// characters from [A-Za-z0-9/+] that holds an upper-case letter, a
	// lower-case letter and a digit. Longer runs (base64 blobs) and git or
	// SHA-1 hex digests are left alone.
	DetectAWSSecretKey
	// DetectPEMPrivateKey masks the body of a PEM block whose type ends in
	// PRIVATE KEY, keeping its BEGIN and END lines. A block with no END
	// line is masked to the end of the value.
	DetectPEMPrivateKey

	// AllDetectors is every detector; it is the default.
	AllDetectors = DetectJWT | DetectBearer | DetectAWSAccessKeyID | DetectAWSSecretKey | DetectPEMPrivateKey
)

// DefaultKeys are the attribute keys whose values are masked whole,
// whatever they hold. Keys are compared case-insensitively and without
// '-', '_', '.' and ' ', so "API-Key", "api_key" and "apiKey" all match
// "apikey". [WithKeys] adds to this list.
var DefaultKeys = []string{
	"password", "passwd", "passphrase", "secret", "client_secret",
	"token", "access_token", "refresh_token", "id_token", "session_token",
	"authorization", "proxy-authorization", "cookie", "set-cookie",
	"api_key", "x-api-key", "private_key",
	"aws_secret_access_key", "secret_access_key", "x-amz-security-token",
	"credentials",
}

// normKey appends to dst the key k lower-cased, without separators.
func normKey(dst []byte, k string) []byte {
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c == '-' || c == '_' || c == '.' || c == ' ':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// keyEnds returns a hash of the first and last characters of k as normKey
// would normalise it: a constant-time filter in front of the key map.
func keyEnds(k string) uint32 {
	sep := func(c byte) bool { return c == '-' || c == '_' || c == '.' || c == ' ' }
	i, j := 0, len(k)-1
	for i < len(k) && sep(k[i]) {
		i++
	}
	for j > i && sep(k[j]) {
		j--
	}
	if i >= len(k) {
		return 0
	}
	lower := func(c byte) uint32 {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		return uint32(c)
	}
	return (lower(k[i])<<8 | lower(k[j])) * 0x9E3779B1 >> 22
}

// trigger is a 4-byte sequence at which a detector starts looking.
type trigger struct {
	gram string
	det  Detector
}

var triggers = sync.OnceValue(func() []trigger {
	var t []trigger
	const b64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := 0; i < len(b64url); i++ {
		t = append(t, trigger{"eyJ" + b64url[i:i+1], DetectJWT})
	}
	for mask := range 16 {
		g := []byte("bear")
		for i := range g {
			if mask&(1<<i) != 0 {
				g[i] -= 'a' - 'A'
			}
		}
		t = append(t, trigger{string(g), DetectBearer})
	}
	for _, p := range []string{"AKIA", "ASIA", "ABIA", "ACCA"} {
		t = append(t, trigger{p, DetectAWSAccessKeyID})
	}
	t = append(t, trigger{"----", DetectPEMPrivateKey})
	return t
})

func isB64URL(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

func isUpperNum(c byte) bool { return 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' }

func isB64Std(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/'
}

// isToken68 reports whether c may appear in an RFC 7235 token68 (before its
// trailing '=' padding).
func isToken68(c byte) bool {
	return isB64URL(c) || c == '.' || c == '~' || c == '+' || c == '/'
}

// detectAt runs the detectors in d at trigger position i. ok reports a range
// to mask; open reports (only when final is false) that the candidate runs to
// the end of s and could still grow.
func detectAt[T ~string | ~[]byte](s T, i int, d Detector, final bool) (sp span, ok, open bool) {
	switch {
	case d&DetectJWT != 0:
		return detectJWT(s, i, final)
	case d&DetectBearer != 0:
		return detectBearer(s, i, final)
	case d&DetectAWSAccessKeyID != 0:
		return detectAccessKeyID(s, i, final)
	case d&DetectPEMPrivateKey != 0:
		return detectPEM(s, i, final)
	}
	return span{}, false, false
}

func detectJWT[T ~string | ~[]byte](s T, i int, final bool) (span, bool, bool) {
	n := len(s)
	j, segs := i, 0
	for {
		start := j
		for j < n && isB64URL(s[j]) {
			j++
		}
		if segs == 0 && j-start < 10 {
			return span{}, false, j == n && !final
		}
		segs++
		if j == n {
			if !final {
				return span{}, false, true
			}
			break
		}
		if s[j] != '.' || segs == 5 {
			break
		}
		j++ // the dot; the next segment may be empty (an unsigned token)
	}
	if segs < 3 {
		return span{}, false, false
	}
	return span{i, j}, true, false
}

func detectBearer[T ~string | ~[]byte](s T, i int, final bool) (span, bool, bool) {
	const word = "bearer"
	n := len(s)
	j := i
	for k := 0; k < len(word); k++ {
		if j == n {
			return span{}, false, !final
		}
		if s[j]|0x20 != word[k] {
			return span{}, false, false
		}
		j++
	}
	sp := j
	for j < n && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	if j == n {
		return span{}, false, !final
	}
	if j == sp {
		return span{}, false, false
	}
	start := j
	for j < n && isToken68(s[j]) {
		j++
	}
	for j < n && s[j] == '=' {
		j++
	}
	if j == n && !final {
		return span{}, false, true
	}
	if j == start {
		return span{}, false, false
	}
	return span{start, j}, true, false
}

func detectAccessKeyID[T ~string | ~[]byte](s T, i int, final bool) (span, bool, bool) {
	const n = 20
	j := i + 4
	for ; j < len(s) && j < i+n; j++ {
		if !isUpperNum(s[j]) {
			return span{}, false, false
		}
	}
	if j < i+n {
		return span{}, false, !final
	}
	return span{i, j}, true, false
}

func detectPEM[T ~string | ~[]byte](s T, i int, final bool) (span, bool, bool) {
	const begin, end, dashes, kind = "-----BEGIN ", "-----END ", "-----", "PRIVATE KEY"
	n := len(s)
	if n-i < len(begin) {
		return span{}, false, !final && hasPrefix(begin, s[i:])
	}
	if !hasPrefix(s[i:], begin) {
		return span{}, false, false
	}
	// The label: upper-case words, at most 64 bytes, closed by dashes.
	j := i + len(begin)
	lab := j
	for j < n && j-lab <= 64 && ('A' <= s[j] && s[j] <= 'Z' || s[j] == ' ' || '0' <= s[j] && s[j] <= '9') {
		j++
	}
	if j == n || j-lab > 64 {
		return span{}, false, j == n && !final
	}
	label := s[lab:j]
	if len(label) < len(kind) || !hasPrefix(label[len(label)-len(kind):], kind) {
		return span{}, false, false
	}
	if n-j < len(dashes) {
		return span{}, false, !final && hasPrefix(dashes, s[j:])
	}
	if !hasPrefix(s[j:], dashes) {
		return span{}, false, false
	}
	body := j + len(dashes)
	// Find "-----END <label>-----".
	for k := body; k+len(end) <= n; k++ {
		if s[k] != '-' || !hasPrefix(s[k:], end) {
			continue
		}
		e := k + len(end)
		if n-e < len(label)+len(dashes) {
			break
		}
		if hasPrefix(s[e:], label) && hasPrefix(s[e+len(label):], dashes) {
			return span{body, k}, true, false
		}
	}
	if !final {
		return span{}, false, true
	}
	if body == n {
		return span{}, false, false
	}
	return span{body, n}, true, false
}

// awsSecretKeys appends the AWS secret access keys in s to spans. Any run
// of exactly 40 base64 characters holds one of the positions 39, 79, 119…,
// so only those are examined and each run is measured once.
func awsSecretKeys[T ~string | ~[]byte](s T, final bool, spans []span) ([]span, int) {
	const size = 40
	n := len(s)
	pending := n
	if !final {
		r := n
		for r > 0 && n-r <= size && isB64Std(s[r-1]) {
			r--
		}
		if r < n && n-r <= size {
			pending = r
		}
	}
	for p := size - 1; p < n; {
		if !isB64Std(s[p]) {
			p += size
			continue
		}
		a, b := p, p+1
		for a > 0 && isB64Std(s[a-1]) {
			a--
		}
		for b < n && isB64Std(s[b]) {
			b++
		}
		if b-a == size && mixedKey(s[a:b]) && (final || b < n) {
			spans = append(spans, span{a, b})
		}
		for p += size; p < b; p += size {
		}
	}
	return spans, pending
}

// mixedKey reports whether k holds an upper-case letter, a lower-case letter
// and a digit.
func mixedKey[T ~string | ~[]byte](k T) bool {
	var up, lo, dig bool
	for i := 0; i < len(k); i++ {
		c := k[i]
		up = up || 'A' <= c && c <= 'Z'
		lo = lo || 'a' <= c && c <= 'z'
		dig = dig || '0' <= c && c <= '9'
	}
	return up && lo && dig
}
