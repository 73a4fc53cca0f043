package redact

import (
	"bytes"
	"encoding/base64"
	"sync"
)

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
	// line is masked to the end of the value, and so is everything after
	// the first body when more than eight blocks with different labels are
	// open at once.
	DetectPEMPrivateKey
	// DetectBasic masks HTTP Basic credentials (RFC 7617): the base64 after
	// "Basic " (any case, one or more spaces or tabs) when it decodes to a
	// user-id and password joined by a colon, whatever their length. Text
	// such as "Basic information" does not decode to that and is kept.
	DetectBasic

	// AllDetectors is every detector; it is the default.
	AllDetectors = DetectJWT | DetectBearer | DetectAWSAccessKeyID | DetectAWSSecretKey | DetectPEMPrivateKey | DetectBasic
)

// DefaultKeys are the keys whose values a handler masks whole, whatever
// they hold. Keys are compared case-insensitively and without '-', '_', '.'
// and ' ', so "API-Key", "api_key" and "apiKey" all match "apikey".
// [WithKeys] adds to this list.
//
// A handler applies them to:
//   - attribute keys, at the top level and in groups (also those given to
//     WithAttrs);
//   - the names given to WithGroup: every attribute value below such a
//     group is masked whole, as below an attribute key;
//   - inside a value of kind Any (an API Gateway event, an http.Header, a
//     map or a struct logged whole): for a *slog.JSONHandler, the member
//     names of every object in the JSON that encoding/json writes for the
//     value (so json tags count, and fields it omits are not printed
//     anyway); for any other handler, the field names of structs (exported
//     or not, as fmt prints them) and the string keys of maps, also when
//     the map's key type is an interface (the map[any]any of YAML
//     decoders), at any depth that fmt prints, and the member names of a
//     json.RawMessage.
//
// They do not apply to text inside a string: a request body or a query
// string that holds "password=...", a raw header line, or what a value's
// Error, String, Format or MarshalText method returns. There only
// registered secrets and detectors mask.
var DefaultKeys = []string{
	"password", "passwd", "passphrase", "secret", "client_secret",
	"token", "access_token", "refresh_token", "id_token", "session_token",
	"authorization", "proxy-authorization", "cookie", "cookies", "set-cookie",
	"api_key", "x-api-key", "private_key",
	"aws_secret_access_key", "secret_access_key", "x-amz-security-token",
	"credentials",
}

// normKey appends to dst the key k lower-cased, without separators.
func normKey[T ~string | ~[]byte](dst []byte, k T) []byte {
	for i := 0; i < len(k); i++ {
		if c, ok := normByte(k[i]); ok {
			dst = append(dst, c)
		}
	}
	return dst
}

// normByte returns c lower-cased, and false for a separator that normKey
// drops.
func normByte(c byte) (byte, bool) {
	switch {
	case c == '-' || c == '_' || c == '.' || c == ' ':
		return 0, false
	case 'A' <= c && c <= 'Z':
		return c + 'a' - 'A', true
	}
	return c, true
}

// keyEnds returns a hash of the first and last characters of k as normKey
// would normalise it: a constant-time filter in front of the key map.
func keyEnds[T ~string | ~[]byte](k T) uint32 {
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
	for _, w := range []struct {
		gram string
		det  Detector
	}{{"bear", DetectBearer}, {"basi", DetectBasic}} {
		for mask := range 16 {
			g := []byte(w.gram)
			for i := range g {
				if mask&(1<<i) != 0 {
					g[i] -= 'a' - 'A'
				}
			}
			t = append(t, trigger{string(g), w.det})
		}
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

// detectAt runs the Bearer, Basic and access key ID detectors in d at trigger
// position i; the JWT and PEM detectors are called by scan directly, which
// remembers how far they measured. ok reports a range to mask; open reports
// (only when final is false) that the candidate runs to the end of s and
// could still grow. Both detectors examine a bounded number of bytes past a
// run they measure once, so a scan stays linear.
func detectAt[T ~string | ~[]byte](s T, i int, d Detector, final bool) (sp span, ok, open bool) {
	switch {
	case d&DetectBearer != 0:
		return detectBearer(s, i, final)
	case d&DetectBasic != 0:
		return detectBasic(s, i, final)
	case d&DetectAWSAccessKeyID != 0:
		return detectAccessKeyID(s, i, final)
	}
	return span{}, false, false
}

// detectJWT measures the token that may start at i. It also returns the end
// of the base64url run that holds i: a trigger at a later position inside
// that run would see the same segments after it and a shorter header, so it
// can add nothing, and scan skips it. That keeps a long run full of "eyJ"
// linear.
func detectJWT[T ~string | ~[]byte](s T, i int, final bool) (sp span, ok, open bool, runEnd int) {
	n := len(s)
	j, segs := i, 0
	for {
		start := j
		for j < n && isB64URL(s[j]) {
			j++
		}
		if segs == 0 {
			runEnd = j
			if j-start < 10 {
				return span{}, false, j == n && !final, runEnd
			}
		}
		segs++
		if j == n {
			if !final {
				return span{}, false, true, runEnd
			}
			break
		}
		if s[j] != '.' || segs == 5 {
			break
		}
		j++ // the dot; the next segment may be empty (an unsigned token)
	}
	if segs < 3 {
		return span{}, false, false, runEnd
	}
	return span{i, j}, true, false, runEnd
}

// schemeParam matches the authentication scheme word (lowercase) at i,
// case-insensitively, and the spaces or tabs that must follow it, and
// returns where the credentials start. When it does not match, open
// reports (only when final is false) that s ends before the match could be
// decided.
func schemeParam[T ~string | ~[]byte](s T, i int, word string, final bool) (start int, ok, open bool) {
	n := len(s)
	j := i
	for k := 0; k < len(word); k++ {
		if j == n {
			return 0, false, !final
		}
		if s[j]|0x20 != word[k] {
			return 0, false, false
		}
		j++
	}
	sp := j
	for j < n && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	if j == n {
		return 0, false, !final
	}
	if j == sp {
		return 0, false, false
	}
	return j, true, false
}

func detectBearer[T ~string | ~[]byte](s T, i int, final bool) (span, bool, bool) {
	start, ok, open := schemeParam(s, i, "bearer", final)
	if !ok {
		return span{}, false, open
	}
	n := len(s)
	j := start
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

func detectBasic[T ~string | ~[]byte](s T, i int, final bool) (span, bool, bool) {
	start, ok, open := schemeParam(s, i, "basic", final)
	if !ok {
		return span{}, false, open
	}
	n := len(s)
	j := start
	for j < n && isB64Std(s[j]) {
		j++
	}
	end := j
	for j < n && s[j] == '=' && j-end < 2 {
		j++
	}
	if j == n && !final {
		return span{}, false, true
	}
	if end == start || !basicCredentials(s[start:end], j-end) {
		return span{}, false, false
	}
	return span{start, j}, true, false
}

// basicCredentials reports whether b64, base64 with pad '=' characters
// after it, is well-formed and decodes to bytes that hold a colon. It
// decodes four characters at a time, without allocating.
func basicCredentials[T ~string | ~[]byte](b64 T, pad int) bool {
	n := len(b64)
	switch {
	case pad > 0 && (n+pad)%4 != 0, n%4 == 1:
		return false
	}
	var quad [4]byte
	var out [3]byte
	colon := false
	for at := 0; at < n; at += 4 {
		k := copy(quad[:], b64[at:min(n, at+4)])
		m, err := base64.RawStdEncoding.Decode(out[:], quad[:k])
		if err != nil {
			return false
		}
		colon = colon || bytes.IndexByte(out[:m], ':') >= 0
	}
	return colon
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

// maxOpenPEM bounds the private key blocks that may be open at once, one per
// distinct label; a scan that sees more masks from the first one to the end.
const maxOpenPEM = 8

const (
	pemBegin  = "-----BEGIN "
	pemEnd    = "-----END "
	pemDashes = "-----"
	pemKind   = "PRIVATE KEY"
)

// pemLine parses the label and closing dashes of a BEGIN or END line whose
// "-----BEGIN " or "-----END " ends at j. It returns the label [j, le) and
// the index after the closing dashes; ok is false when this is no such line,
// and partial reports a line cut short by the end of s.
func pemLine[T ~string | ~[]byte](s T, j int) (le, after int, ok, partial bool) {
	n := len(s)
	le = j
	// The label: upper-case words and digits, at most 64 bytes.
	for le < n && le-j <= 64 && ('A' <= s[le] && s[le] <= 'Z' || s[le] == ' ' || '0' <= s[le] && s[le] <= '9') {
		le++
	}
	if le-j > 64 {
		return 0, 0, false, false
	}
	if n-le < len(pemDashes) {
		return 0, 0, false, hasPrefix(pemDashes, s[le:])
	}
	if !hasPrefix(s[le:], pemDashes) {
		return 0, 0, false, false
	}
	return le, le + len(pemDashes), true, false
}

// pemOpen is a private key block whose END line has not been seen yet.
type pemOpen struct{ begin, label, labelEnd, body int }

// pemBlocks masks, from i on, the body of every PEM block whose label ends
// in PRIVATE KEY, up to the first END line with the same label, or to the
// end of s when final is true and there is none. It walks s once, whatever
// the number of BEGIN and END lines, so scan calls it at the first trigger
// only. With final false, it also returns the smallest index at which a
// block is still open or a BEGIN line is cut short (len(s) if none). When
// ends is not nil, it receives the END line of every block left open.
func pemBlocks[T ~string | ~[]byte](s T, i int, final bool, spans []span, ends *[]string) ([]span, int) {
	n := len(s)
	pending := n
	var open [maxOpenPEM]pemOpen
	no := 0
	overflow := -1 // the body from which everything is masked, if too many blocks are open
	sameLabel := func(a, b, c, d int) bool {
		if b-a != d-c {
			return false
		}
		for k := 0; k < b-a; k++ {
			if s[a+k] != s[c+k] {
				return false
			}
		}
		return true
	}
	for k := i; k < n; k++ {
		if s[k] != '-' {
			continue
		}
		if n-k < len(pemBegin) {
			// Too short for a BEGIN line (an END line would close nothing
			// that is not open to the end anyway), but maybe its start.
			if !final && hasPrefix(pemBegin, s[k:]) {
				pending = min(pending, k)
				break
			}
			continue
		}
		switch {
		case hasPrefix(s[k:], pemBegin):
			j := k + len(pemBegin)
			le, body, ok, partial := pemLine(s, j)
			if partial && !final {
				pending = min(pending, k)
			}
			if !ok {
				continue
			}
			// Resume at the closing dashes, which may begin another line
			// ("-----BEGIN -----BEGIN PRIVATE KEY-----").
			if le-j < len(pemKind) || !hasPrefix(s[le-len(pemKind):le], pemKind) {
				k = le - 1
				continue
			}
			known := false
			for _, o := range open[:no] {
				known = known || sameLabel(o.label, o.labelEnd, j, le)
			}
			switch {
			case known || overflow >= 0:
				// An earlier body with this label, or the overflow, covers it.
			case no == len(open):
				overflow = open[0].body
			default:
				open[no] = pemOpen{begin: k, label: j, labelEnd: le, body: body}
				no++
			}
			k = le - 1
		case hasPrefix(s[k:], pemEnd):
			j := k + len(pemEnd)
			le, _, ok, _ := pemLine(s, j)
			if !ok {
				continue
			}
			for x := 0; x < no; x++ {
				if sameLabel(open[x].label, open[x].labelEnd, j, le) {
					if overflow < 0 {
						spans = append(spans, span{open[x].body, k})
					}
					no--
					copy(open[x:], open[x+1:no+1])
					break
				}
			}
			k = le - 1
		}
	}
	from := overflow
	for _, o := range open[:no] {
		if from < 0 || o.body < from {
			from = o.body
		}
	}
	if from < 0 {
		return spans, pending
	}
	if ends != nil {
		for _, o := range open[:no] {
			*ends = append(*ends, pemEnd+string(s[o.label:o.labelEnd])+pemDashes)
		}
	}
	if !final {
		for _, o := range open[:no] {
			pending = min(pending, o.begin)
		}
		return spans, pending
	}
	if from < n {
		spans = append(spans, span{from, n})
	}
	return spans, pending
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
