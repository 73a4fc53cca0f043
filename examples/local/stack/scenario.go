package stack

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/seclambda/seclambda/examples/datatier"
)

// Row is one check of the scenario.
type Row struct {
	// Check says what is shown; Request is the call made.
	Check, Request string
	// Expected and Actual are short descriptions; OK is whether they agree.
	Expected, Actual string
	OK               bool
}

// response is what a check looks at.
type response struct {
	status int
	header http.Header
	body   string
}

func (r response) String() string {
	if r.status == 0 {
		return "no response: " + r.body
	}
	s := fmt.Sprint(r.status)
	if m := message(r.body); m != "" {
		s += " " + m
	}
	return s
}

func message(body string) string {
	var m struct {
		Message string `json:"message"`
	}
	if json.Unmarshal([]byte(body), &m) == nil {
		return m.Message
	}
	return ""
}

// Scenario runs the demo's checks against the running stack, in order, and
// returns one row per check.
// explicitDeny is API Gateway's message for a Lambda authorizer's Deny.
const explicitDeny = "User is not authorized to access this resource with an explicit deny"

func (s *Stack) Scenario(ctx context.Context) []Row {
	// Each run starts the usage plan's day afresh, so that a second run
	// on the same stack sees the same quota.
	s.Gateway.ResetUsage()
	var rows []Row
	add := func(check, request, expected, actual string, ok bool) {
		rows = append(rows, Row{Check: check, Request: request, Expected: expected, Actual: actual, OK: ok})
	}
	plain := &http.Client{Timeout: 30 * time.Second}
	origin := s.WebURL
	other := s.OtherWebURL
	do := func(c *http.Client, method, url string, h map[string]string, body string) response {
		req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
		if err != nil {
			return response{body: err.Error()}
		}
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := c.Do(req)
		if err != nil {
			return response{body: err.Error()}
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
	}
	signIn := func(user string) string {
		r := do(plain, "POST", s.GatewayURL+"/auth/login", map[string]string{"Content-Type": "application/json", "Origin": origin},
			fmt.Sprintf(`{"username":%q,"password":%q}`, user, s.Passwords[user]))
		var t struct{ AccessToken string }
		_ = json.Unmarshal([]byte(r.body), &t)
		return t.AccessToken
	}
	alice, bob, carol, device, revokedUser := signIn(Writer), signIn(Reader), signIn(Outsider), signIn(Device), signIn("client-revoked")
	add("sign-in through the gateway", "POST /auth/login (alice, bob, carol, device-001, client-revoked)",
		"5 access tokens", fmt.Sprintf("%d access tokens", count(alice, bob, carol, device, revokedUser)),
		count(alice, bob, carol, device, revokedUser) == 5)
	bearer := func(tok string) map[string]string {
		return map[string]string{"Authorization": "Bearer " + tok, "Origin": origin}
	}
	gw := s.GatewayURL

	// The notes API (HTTP API, JWT authorizer).
	r := do(plain, "GET", gw+"/notes", map[string]string{"Origin": origin}, "")
	add("no token", "GET /notes", "401", r.String(), r.status == 401)
	r = do(plain, "GET", gw+"/notes", bearer(tamper(alice)), "")
	add("tampered token", "GET /notes, one payload byte changed", "401", r.String(), r.status == 401)
	r = do(plain, "POST", gw+"/notes", merge(bearer(alice), map[string]string{"Content-Type": "application/json"}), fmt.Sprintf(`{"text":%q}`, s.noteText))
	add("create a note (KMS-signed ETag, text encrypted)", "POST /notes as alice", "201", r.String(), r.status == 201)
	var created struct{ ID string }
	_ = json.Unmarshal([]byte(r.body), &created)
	rows = append(rows, s.dataTier(ctx, do, plain, gw, bearer(bob), created.ID)...)
	r = do(plain, "GET", gw+"/notes", bearer(alice), "")
	acao := r.header.Get("Access-Control-Allow-Origin")
	add("valid token, CORS headers", "GET /notes as alice, Origin: web page",
		"200 + Access-Control-Allow-Origin: page", fmt.Sprintf("%d + Access-Control-Allow-Origin: %s", r.status, orNone(acao)),
		r.status == 200 && acao == origin)
	preflight := func(from string) response {
		return do(plain, "OPTIONS", gw+"/notes", map[string]string{
			"Origin": from, "Access-Control-Request-Method": "POST",
			"Access-Control-Request-Headers": "authorization,content-type",
		}, "")
	}
	r = preflight(origin)
	acao = r.header.Get("Access-Control-Allow-Origin")
	add("preflight from the allowed origin", "OPTIONS /notes, Origin: web page",
		"204 + Access-Control-Allow-Origin", fmt.Sprintf("%d + Access-Control-Allow-Origin: %s", r.status, orNone(acao)),
		r.status == 204 && acao == origin)
	r = preflight(other)
	cors := corsHeaders(r.header)
	add("preflight from another origin", "OPTIONS /notes, Origin: other page",
		"no CORS headers", fmt.Sprintf("%d, CORS headers: %s", r.status, orNone(cors)),
		r.status != 0 && cors == "")

	// The REST API: Lambda TOKEN authorizer, usage plan.
	r = do(plain, "GET", gw+"/token", bearer(carol), "")
	// The authorizer's explicit Deny, not the usage plan's 403: a broken
	// group check would be refused for carol's missing key too.
	add("valid token without the required group", "GET /token as carol (in no allowed group)", "403 explicit Deny", r.String(),
		r.status == 403 && message(r.body) == explicitDeny)
	r = do(plain, "GET", gw+"/token", map[string]string{"Origin": origin}, "")
	acao = r.header.Get("Access-Control-Allow-Origin")
	add("gateway 401 carries CORS headers", "GET /token, no token",
		"401 + Access-Control-Allow-Origin", fmt.Sprintf("%s + Access-Control-Allow-Origin: %s", r, orNone(acao)),
		r.status == 401 && acao == origin)
	r = do(plain, "GET", gw+"/token", bearer(alice), "")
	add("writer with a usage plan key", "GET /token as alice", "200", r.String(), r.status == 200)
	r = do(plain, "GET", gw+"/token", bearer(bob), "")
	add("missing API key", "GET /token as bob (readers: allowed, no usage plan key)", "403 Forbidden", r.String(),
		r.status == 403 && message(r.body) == "Forbidden")
	r = do(plain, "GET", gw+"/profile", bearer(alice), "")
	add("Cognito user pool authorizer", "GET /profile as alice", "200", r.String(), r.status == 200)
	ok, used := 1, 1 // the 200 above
	var last response
	for used <= s.quota {
		last = do(plain, "GET", gw+"/token", bearer(alice), "")
		used++
		if last.status != 200 {
			break
		}
		ok++
	}
	add("exceeded quota", fmt.Sprintf("GET /token as alice x%d (quota %d/day)", used, s.quota),
		fmt.Sprintf("%d x 200, then 429 Limit Exceeded", s.quota), fmt.Sprintf("%d x 200, then %s", ok, last),
		ok == s.quota && last.status == 429 && message(last.body) == "Limit Exceeded")
	// The device shares the writers' usage plan: start its day afresh.
	s.Gateway.ResetUsage()

	// The mTLS custom domain: Lambda REQUEST authorizer.
	mtls := func(cert string) *http.Client {
		c := s.deviceCert
		if cert == "revoked" {
			c = s.pki.Revoked
		}
		return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: s.clientTLS(c)}}
	}
	r = do(mtls("revoked"), "GET", s.GatewayTLSURL+"/device", bearer(revokedUser), "")
	add("revoked client certificate", "GET /device over mTLS, CN client-revoked (in the CRL)", "403 explicit Deny", r.String(),
		r.status == 403 && message(r.body) == explicitDeny)
	r = do(mtls("good"), "GET", s.GatewayTLSURL+"/device", bearer(device), "")
	add("good client certificate", "GET /device over mTLS, CN device-001 + its token", "200", r.String(),
		r.status == 200 && strings.Contains(r.body, `"mtlsFingerprint"`))

	// AWS_IAM with identity pool credentials.
	r = s.signed(ctx, plain, gw+"/whoami")
	var who struct {
		Method    string
		Principal string
	}
	_ = json.Unmarshal([]byte(r.body), &who)
	add("federated (identity pool) caller", "GET /whoami, SigV4-signed", "200 cognito-identity",
		fmt.Sprintf("%d %s", r.status, who.Method), r.status == 200 && who.Method == "cognito-identity")
	r = do(plain, "GET", gw+"/whoami", map[string]string{"Origin": origin}, "")
	add("unsigned IAM call", "GET /whoami, no signature", "403", r.String(), r.status == 403)

	// Rotation of the upstream credential while the api is called.
	rows = append(rows, s.rotationRows(ctx, func() response {
		return do(plain, "POST", gw+"/notes", merge(bearer(alice), map[string]string{"Content-Type": "application/json"}), `{"text":"during rotation"}`)
	})...)
	return rows
}

// dataTier is the data tier's part of the scenario: what a reader of the
// table sees, and what bob gets of alice's note, before and after a writer
// of the table moves it into bob's partition.
func (s *Stack) dataTier(ctx context.Context, do func(*http.Client, string, string, map[string]string, string) response,
	c *http.Client, gw string, bob map[string]string, id string) []Row {
	var rows []Row
	add := func(check, request, expected, actual string, ok bool) {
		rows = append(rows, Row{Check: check, Request: request, Expected: expected, Actual: actual, OK: ok})
	}
	items, plain, err := s.scanNotes(ctx)
	actual := fmt.Sprintf("%d item(s), %d with plaintext", items, plain)
	if err != nil {
		actual = err.Error()
	}
	add("raw scan of the notes table", "Scan "+s.notesTable+", straight to dynalite", "items, 0 with plaintext", actual,
		err == nil && items > 0 && plain == 0)
	list := func() (response, int) {
		r := do(c, "GET", gw+"/notes", bob, "")
		var l struct{ Notes []json.RawMessage }
		_ = json.Unmarshal([]byte(r.body), &l)
		return r, len(l.Notes)
	}
	r, n := list()
	add("bob cannot list alice's notes", "GET /notes as bob", "200, 0 notes", fmt.Sprintf("%d, %d notes", r.status, n), r.status == 200 && n == 0)
	r = do(c, "GET", gw+"/notes/"+id, bob, "")
	add("bob cannot read alice's note", "GET /notes/{alice's id} as bob", "404", r.String(), r.status == 404)
	moved := "moved"
	if err := s.moveNote(ctx, s.subs[Writer], s.subs[Reader], id); err != nil {
		moved = err.Error()
	}
	r = do(c, "GET", gw+"/notes/"+id, bob, "")
	add("alice's note moved into bob's partition", "PutItem of alice's item as bob's, then GET /notes/{id} as bob",
		"moved, 404 (does not decrypt)", moved+", "+r.String(), moved == "moved" && r.status == 404)
	r, n = list()
	add("the moved note is not listed", "GET /notes as bob", "200, 0 notes", fmt.Sprintf("%d, %d notes", r.status, n), r.status == 200 && n == 0)
	return rows
}

// scanNotes scans the whole notes table as a reader of the table would,
// and counts the items and those in which the note's text appears, in any
// attribute, in the clear.
func (s *Stack) scanNotes(ctx context.Context) (items, plain int, err error) {
	out, err := s.ddb.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(s.notesTable)})
	if err != nil {
		return 0, 0, err
	}
	for _, item := range out.Items {
		for _, v := range item {
			var raw []byte
			switch v := v.(type) {
			case *types.AttributeValueMemberS:
				raw = []byte(v.Value)
			case *types.AttributeValueMemberB:
				raw = v.Value
			}
			if bytes.Contains(raw, []byte(s.noteText)) {
				plain++
				break
			}
		}
	}
	return len(out.Items), plain, nil
}

// moveNote copies the item of from/id, ciphertext and all, into the
// partition of to, as a writer of the table could.
func (s *Stack) moveNote(ctx context.Context, from, to, id string) error {
	key := map[string]types.AttributeValue{
		datatier.AttrOwner: &types.AttributeValueMemberS{Value: from},
		datatier.AttrID:    &types.AttributeValueMemberS{Value: id},
	}
	out, err := s.ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.notesTable), Key: key})
	if err != nil {
		return err
	}
	if out.Item == nil {
		return fmt.Errorf("no item %s", id)
	}
	out.Item[datatier.AttrOwner] = &types.AttributeValueMemberS{Value: to}
	_, err = s.ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.notesTable), Item: out.Item})
	return err
}

// signed sends a GET signed with the demo's identity pool credentials.
func (s *Stack) signed(ctx context.Context, c *http.Client, rawURL string) response {
	req, err := http.NewRequestWithContext(ctx, "GET", rawURL, nil)
	if err != nil {
		return response{body: err.Error()}
	}
	sum := sha256.Sum256(nil)
	creds := aws.Credentials{AccessKeyID: s.iam.AccessKeyID, SecretAccessKey: s.iam.SecretAccessKey, SessionToken: s.iam.SessionToken}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "execute-api", "us-east-1", time.Now()); err != nil {
		return response{body: err.Error()}
	}
	resp, err := c.Do(req)
	if err != nil {
		return response{body: err.Error()}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// UpstreamNotified reports how many notifications reached the upstream
// service with the Secrets Manager credential.
func (s *Stack) UpstreamNotified() int64 { return s.upstream.Load() }

// LeakCount counts the decrypted values in every function's output, in
// every encoding: as is, base64 (standard and URL, padded or not), hex
// (either case), percent-encoded and JSON-escaped. It also returns the
// functions whose output had any.
func (s *Stack) LeakCount() (int, []string) {
	total := 0
	var where []string
	logs := s.Logs()
	names := make([]string, 0, len(logs))
	for n := range logs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		n := 0
		for _, secret := range s.secrets {
			for _, enc := range encodings(secret) {
				n += strings.Count(logs[name], enc)
			}
		}
		if n > 0 {
			where = append(where, name)
		}
		total += n
	}
	return total, where
}

func encodings(v string) []string {
	b := []byte(v)
	j, _ := json.Marshal(v)
	set := map[string]bool{
		v:                                      true,
		hex.EncodeToString(b):                  true,
		strings.ToUpper(hex.EncodeToString(b)): true,
		url.QueryEscape(v):                     true,
		string(bytes.Trim(j, `"`)):             true,
	}
	// Base64 of the secret on its own, and of the secret behind one or two
	// other bytes (as in "Bearer <secret>" logged as []byte): the middle of
	// the encoding, without the characters that mix in neighbouring bytes.
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		set[enc.EncodeToString(b)] = true
		for shift := 1; shift <= 2; shift++ {
			e := base64.RawStdEncoding.EncodeToString(append(make([]byte, shift), b...))
			if enc == base64.URLEncoding || enc == base64.RawURLEncoding {
				e = base64.RawURLEncoding.EncodeToString(append(make([]byte, shift), b...))
			}
			// Skip the characters that encode the prefix bytes, and the
			// last block, which depends on what follows the secret.
			start, end := (shift*8+5)/6, len(e)-4
			if end-start >= 8 {
				set[e[start:end]] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	return out
}

// PrintTable writes rows as a table with a verdict per row, and returns
// whether every row is as expected.
func PrintTable(w io.Writer, rows []Row) bool {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tCHECK\tREQUEST\tEXPECTED\tACTUAL\tRESULT")
	all := true
	for i, r := range rows {
		verdict := "ok"
		if !r.OK {
			verdict, all = "FAIL", false
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", i+1, r.Check, r.Request, r.Expected, clip(r.Actual, 60), verdict)
	}
	tw.Flush()
	return all
}

func clip(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > n {
		return s[:n-3] + "..."
	}
	return s
}

func tamper(tok string) string {
	p := strings.Split(tok, ".")
	if len(p) != 3 || len(p[1]) < 10 {
		return tok + "x"
	}
	b := []byte(p[1])
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return p[0] + "." + string(b) + "." + p[2]
}

func count(toks ...string) int {
	n := 0
	for _, t := range toks {
		if t != "" {
			n++
		}
	}
	return n
}

func corsHeaders(h http.Header) string {
	var names []string
	for k := range h {
		if strings.HasPrefix(k, "Access-Control-Allow-") {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
