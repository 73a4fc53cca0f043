package redact_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/seclambda/seclambda/redact"
)

const (
	testJWT   = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
	testAKID  = "AKIAIOSFODNN7EXAMPLE"
	testSKey  = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	testPEM   = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\nKUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQ==\n-----END RSA PRIVATE KEY-----"
	pemMasked = "-----BEGIN RSA PRIVATE KEY-----[REDACTED]-----END RSA PRIVATE KEY-----"
)

func TestDetectors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"JWT", "tok=" + testJWT + " end", "tok=[REDACTED] end"},
		{"unsigned JWT", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0. end", "[REDACTED] end"},
		{"JWT prefix only", "eyJhbGciOiJIUzI1NiJ9 alone", "eyJhbGciOiJIUzI1NiJ9 alone"},
		{"Bearer", "Authorization: Bearer abc123-._~+/xyz== next", "Authorization: Bearer [REDACTED] next"},
		{"bearer lower case, tabs", "authorization: bearer\t\tabc", "authorization: bearer\t\t[REDACTED]"},
		{"Bearer without token", "the Bearer  ", "the Bearer  "},
		{"bearer inside a word", "bearers of news", "bearers of news"},
		{"Basic", "Authorization: Basic YTp4NyNrUXo= next", "Authorization: Basic [REDACTED] next"},
		{"basic lower case, tab, unpadded", "authorization: basic\tYTp4NyNrUXo", "authorization: basic\t[REDACTED]"},
		{"Basic with a short user-id and password", "Basic YTpi", "Basic [REDACTED]"},
		{"Basic in prose", "Basic information about Basic auth, basic\tidea", "Basic information about Basic auth, basic\tidea"},
		{"Basic base64 without a colon", "Basic QUJDREVGRw==", "Basic QUJDREVGRw=="},
		{"Basic with bad padding", "Basic YTp4NyNrUXo=== x", "Basic YTp4NyNrUXo=== x"},
		{"access key ID", "key=" + testAKID + ".", "key=[REDACTED]."},
		{"temporary access key ID", "ASIAY34FZKBOKMUTVV7A", "[REDACTED]"},
		{"short AKIA", "AKIA1234", "AKIA1234"},
		{"secret access key", "secret: " + testSKey + "\n", "secret: [REDACTED]\n"},
		{"secret key at the start", testSKey, "[REDACTED]"},
		{"SHA-1 hex is not a key", "commit 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12", "commit 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"},
		{"41 characters are not a key", testSKey + "A", testSKey + "A"},
		{"PEM private key", "key:\n" + testPEM + "\nend", "key:\n" + pemMasked + "\nend"},
		{"PEM key escaped in JSON", `{"k":"` + strings.ReplaceAll(testPEM, "\n", `\n`) + `"}`,
			`{"k":"-----BEGIN RSA PRIVATE KEY-----[REDACTED]-----END RSA PRIVATE KEY-----"}`},
		{"PEM without END", "-----BEGIN PRIVATE KEY-----\nMIIBOgIBAAJBAKj34", "-----BEGIN PRIVATE KEY-----[REDACTED]"},
		{"PEM certificate is kept", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"},
		{"dashes", "---- ----- ------", "---- ----- ------"},
		{"BEGIN line inside the dashes of another", "-----BEGIN -----BEGIN PRIVATE KEY-----\nQUFB\n-----END PRIVATE KEY-----",
			"-----BEGIN -----BEGIN PRIVATE KEY-----[REDACTED]-----END PRIVATE KEY-----"},
		{"END line inside the dashes of another", "-----BEGIN A PRIVATE KEY-----\nQUFB\n-----END B PRIVATE KEY-----END A PRIVATE KEY-----x",
			"-----BEGIN A PRIVATE KEY-----[REDACTED]-----END A PRIVATE KEY-----x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := redact.NewWriter(&buf, redact.WithRegistry(redact.NewRegistry()))
			if _, err := w.Write([]byte(tt.in)); err != nil {
				t.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestWithoutDetectors(t *testing.T) {
	in := "Bearer abcdef " + testAKID
	tests := []struct {
		name string
		opt  redact.WriterOption
		want string
	}{
		{"all on", nil, "Bearer [REDACTED] [REDACTED]"},
		{"bearer off", redact.WithoutDetectors(redact.DetectBearer), "Bearer abcdef [REDACTED]"},
		{"basic off", redact.WithoutDetectors(redact.DetectBasic), "Bearer [REDACTED] [REDACTED]"},
		{"all off", redact.WithoutDetectors(), in},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := redact.NewWriter(&buf, redact.WithRegistry(redact.NewRegistry()), tt.opt)
			_, _ = w.Write([]byte(in))
			_ = w.Close()
			if buf.String() != tt.want {
				t.Fatalf("got %q, want %q", buf.String(), tt.want)
			}
		})
	}
}

// TestWriterHolding checks what each Write passes on at once and what it
// holds back.
func TestWriterHolding(t *testing.T) {
	const s = "hunter2-s3cr3t"
	// A base64url run longer than the 64 KiB hold: it could be a JWT's
	// header until it ends, so the Writer holds it until forced to let go.
	long := "eyJ" + strings.Repeat("QUFB", 70<<10/4)
	tests := []struct {
		name   string
		writes []string
		after  []string // underlying output after each write
		final  string   // after Close
	}{
		{
			name:   "lines pass at once",
			writes: []string{"a " + s + "\n", "b\n"},
			after:  []string{"a [REDACTED]\n", "a [REDACTED]\nb\n"},
			final:  "a [REDACTED]\nb\n",
		},
		{
			name:   "secret split across writes",
			writes: []string{"x=hunt", "er2-s3cr3t;\n"},
			after:  []string{"x=", "x=[REDACTED];\n"},
			final:  "x=[REDACTED];\n",
		},
		{
			name:   "prefix that does not complete is released",
			writes: []string{"x=hunt", "ing;\n"},
			after:  []string{"x=", "x=hunting;\n"},
			final:  "x=hunting;\n",
		},
		{
			name:   "held tail goes out on Close",
			writes: []string{"end hunt"},
			after:  []string{"end "},
			final:  "end hunt",
		},
		{
			name:   "bearer token split",
			writes: []string{"Authorization: Bea", "rer abc", "def\n"},
			after:  []string{"Authorization: ", "Authorization: ", "Authorization: Bearer [REDACTED]\n"},
			final:  "Authorization: Bearer [REDACTED]\n",
		},
		{
			name:   "basic credentials split",
			writes: []string{"Authorization: Basi", "c YTp4", "NyNrUXo=\n"},
			after:  []string{"Authorization: ", "Authorization: ", "Authorization: Basic [REDACTED]\n"},
			final:  "Authorization: Basic [REDACTED]\n",
		},
		{
			name:   "forced release keeps back a secret's start",
			writes: []string{long + "hunt", "er2-s3cr3t\n"},
			final:  long + "[REDACTED]\n",
		},
		{
			name:   "forced release keeps back an encoded form's start",
			writes: []string{"x " + long + "-aHVudGVyMi1zM2", "NyM3Q=\n"},
			final:  "x " + long + "-[REDACTED]\n",
		},
		{
			name:   "forced release just past the hold limit",
			writes: []string{long[:maxHoldTest-4] + "hunter", "2-s3cr3t" + long[:8] + "\n"},
			final:  long[:maxHoldTest-4] + "[REDACTED]" + long[:8] + "\n",
		},
		{
			name:   "byte at a time",
			writes: strings.Split("k="+s+"\n", ""),
			final:  "k=[REDACTED]\n",
		},
		{
			name:   "BEGIN line split after other dashes",
			writes: []string{"----0000-----", "BEGIN PRIVATE KEY-----\nS3", "CRET\n-----END PRIVATE KEY-----0"},
			after:  []string{"----0000", "----0000", "----0000-----BEGIN PRIVATE KEY-----[REDACTED]-----END PRIVATE KEY-----"},
			final:  "----0000-----BEGIN PRIVATE KEY-----[REDACTED]-----END PRIVATE KEY-----0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := redact.NewWriter(&buf, redact.WithRegistry(newReg(t, s)))
			for i, p := range tt.writes {
				n, err := w.Write([]byte(p))
				if err != nil || n != len(p) {
					t.Fatalf("Write = %d, %v", n, err)
				}
				if i < len(tt.after) && buf.String() != tt.after[i] {
					t.Fatalf("after write %d: %q, want %q", i, buf.String(), tt.after[i])
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tt.final {
				t.Fatalf("after Close: %q, want %q", buf.String(), tt.final)
			}
			if _, err := w.Write([]byte("x")); !errors.Is(err, redact.ErrClosed) {
				t.Fatalf("Write after Close: %v, want ErrClosed", err)
			}
			if err := w.Flush(); !errors.Is(err, redact.ErrClosed) {
				t.Fatalf("Flush after Close: %v, want ErrClosed", err)
			}
			if err := w.Close(); err != nil {
				t.Fatalf("second Close: %v", err)
			}
		})
	}
}

func TestWriterLongPEMFailsClosed(t *testing.T) {
	var buf bytes.Buffer
	w := redact.NewWriter(&buf, redact.WithRegistry(redact.NewRegistry()))
	_, _ = w.Write([]byte("-----BEGIN PRIVATE KEY-----\n"))
	body := strings.Repeat("QUJDRA==", 10<<10)
	_, _ = w.Write([]byte(body))
	if strings.Contains(buf.String(), "QUJDRA") || !strings.Contains(buf.String(), redact.DefaultMask) {
		t.Fatalf("an unterminated key longer than the hold limit was not masked: %.80q", buf.String())
	}
	_ = w.Close()
}

// maxHoldTest is the Writer's hold limit, 64 KiB.
const maxHoldTest = 64 << 10

var errDisk = errors.New("disk full")

func TestWriterUnderlyingError(t *testing.T) {
	fail := true
	var buf bytes.Buffer
	w := redact.NewWriter(writerFunc(func(p []byte) (int, error) {
		if fail {
			return 0, errDisk
		}
		return buf.Write(p)
	}), redact.WithRegistry(newReg(t, "hunter2-s3cr3t")))
	if n, err := w.Write([]byte("a hunter2-s3cr3t\n")); !errors.Is(err, errDisk) || n != 0 {
		t.Fatalf("Write = %d, %v; want 0, errDisk", n, err)
	}
	fail = false
	if _, err := w.Write([]byte("b\n")); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "b\n" {
		t.Fatalf("got %q", buf.String())
	}
}

// TestWriterLongPEM checks that a private key body that the Writer had to
// mask to the end of what it held (past its 64 KiB hold limit, or at Flush)
// stays masked in later writes, up to and including its END line.
func TestWriterLongPEM(t *testing.T) {
	body := strings.Repeat("QUFBQUFBQUFBQUFB\n", 70<<10/17)
	const tail = "TAILSECRETKEYMATERIALxyz\n"
	tests := []struct {
		name   string
		writes []string
		flush  []bool // Flush after write i
		want   string // the output after the BEGIN line's mask
		leak   []string
	}{
		{
			name:   "past the hold limit",
			writes: []string{"-----BEGIN PRIVATE KEY-----\n" + body, tail + "-----END PRIVATE KEY-----\nafter\n"},
			want:   "\nafter\n",
			leak:   []string{"TAILSECRET", "QUFB"},
		},
		{
			name:   "END line split across writes",
			writes: []string{"-----BEGIN RSA PRIVATE KEY-----\n" + body, tail + "-----END RSA PRI", "VATE KEY-----\nafter\n"},
			want:   "\nafter\n",
			leak:   []string{"TAILSECRET", "QUFB"},
		},
		{
			name:   "another label does not end it",
			writes: []string{"-----BEGIN EC PRIVATE KEY-----\n" + body, "-----END RSA PRIVATE KEY-----\n" + tail, "-----END EC PRIVATE KEY-----after\n"},
			want:   "after\n",
			leak:   []string{"TAILSECRET", "QUFB"},
		},
		{
			name:   "Flush inside the body",
			writes: []string{"-----BEGIN PRIVATE KEY-----\nQUFBQUFB\n", tail, "-----END PRIVATE KEY-----\nafter\n"},
			flush:  []bool{true, true, false},
			want:   "\nafter\n",
			leak:   []string{"TAILSECRET", "QUFB"},
		},
		{
			name:   "a new key after the END line",
			writes: []string{"-----BEGIN PRIVATE KEY-----\n" + body, tail + "-----END PRIVATE KEY-----\nx " + testPEM + "\n"},
			want:   "\nx " + pemMasked + "\n",
			leak:   []string{"TAILSECRET", "QUFB", "MIIBOgIBAAJBAKj34"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			w := redact.NewWriter(&out, redact.WithRegistry(redact.NewRegistry()))
			for i, s := range tt.writes {
				if n, err := w.Write([]byte(s)); err != nil || n != len(s) {
					t.Fatalf("Write %d: %d, %v", i, n, err)
				}
				if i < len(tt.flush) && tt.flush[i] {
					if err := w.Flush(); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			got := out.String()
			for _, s := range tt.leak {
				assertNoLeak(t, got, s)
			}
			begin := strings.Index(got, "-----"+redact.DefaultMask)
			if begin < 0 || !strings.HasPrefix(got, tt.writes[0][:begin]) {
				t.Fatalf("BEGIN line and mask missing: %q", got[:min(len(got), 200)])
			}
			if rest := got[begin+len("-----"+redact.DefaultMask):]; rest != tt.want {
				t.Fatalf("after the mask got %q, want %q", rest[:min(len(rest), 200)], tt.want)
			}
		})
	}
}
