package stack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/seclambda/seclambda/examples/local/stack"
	"github.com/seclambda/seclambda/internal/testpeer"
)

const chromiumPath = "/usr/bin/chromium"

// browser starts headless Chromium with a fresh profile, or fails or skips
// the test when it is not installed.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := exec.LookPath(chromiumPath); err != nil {
		msg := "chromium is not installed (" + chromiumPath + "): run `make test` as root, which installs it, " +
			"or `sudo apt-get install chromium`"
		if testpeer.Required() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// No UserDataDir: the allocator makes a fresh profile directory
		// and removes it itself, so that a browser child still writing to
		// it at exit cannot fail the test's TempDir cleanup.
	)
	browser, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(browser, 90*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc() // stops the browser process, then removes its profile
	})
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// result is what the page's window.demo functions resolve to.
type result struct {
	Status   int             `json:"status"`
	Body     json.RawMessage `json:"body"`
	Error    string          `json:"error"`
	Blocked  bool            `json:"blocked"`
	SignedIn bool            `json:"signedIn"`
}

func eval(t *testing.T, ctx context.Context, expr string) result {
	t.Helper()
	var r result
	err := chromedp.Run(ctx, chromedp.Evaluate(expr, &r, func(p *runtime.EvaluateParams) *runtime.EvaluateParams {
		return p.WithAwaitPromise(true)
	}))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return r
}

func open(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	var ready bool
	err := chromedp.Run(ctx, chromedp.Navigate(url), chromedp.Evaluate(`window.demo.ready`, &ready,
		func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	if err != nil || !ready {
		t.Fatalf("open %s: %v", url, err)
	}
}

// TestBrowserCORS drives the web page in headless Chromium: CORS is
// enforced by the browser itself, not by a client of ours.
func TestBrowserCORS(t *testing.T) {
	s := start(t)
	ctx := browser(t)
	js := func(v string) string { b, _ := json.Marshal(v); return string(b) }

	t.Run("allowed origin signs in and calls the API, preflight included", func(t *testing.T) {
		open(t, ctx, s.WebURL)
		r := eval(t, ctx, fmt.Sprintf(`demo.login(%s, %s)`, js(stack.Writer), js(s.Passwords[stack.Writer])))
		if r.Status != http.StatusOK || !r.SignedIn {
			t.Fatalf("login = %+v, want 200 and a token", r)
		}
		preflights := s.Seen("OPTIONS /notes")
		r = eval(t, ctx, `demo.createNote("written by chromium")`)
		if r.Status != http.StatusCreated {
			t.Fatalf("create = %+v, want 201", r)
		}
		if s.Seen("OPTIONS /notes") <= preflights {
			t.Error("the browser sent no preflight before POST /notes with Authorization")
		}
		r = eval(t, ctx, `demo.listNotes()`)
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), "written by chromium") {
			t.Fatalf("list = %+v, want 200 with the note", r)
		}
	})

	t.Run("error responses stay readable on the allowed origin", func(t *testing.T) {
		open(t, ctx, s.WebURL)
		r := eval(t, ctx, `demo.call("GET", "/token", false)`)
		if r.Blocked || r.Status != http.StatusUnauthorized {
			t.Fatalf("GET /token without a token = %+v, want a readable 401", r)
		}
	})

	t.Run("another origin is blocked by the browser", func(t *testing.T) {
		token := signIn(t, s)
		open(t, ctx, s.OtherWebURL)
		r := eval(t, ctx, fmt.Sprintf(`demo.login(%s, %s)`, js(stack.Writer), js(s.Passwords[stack.Writer])))
		if !r.Blocked || r.SignedIn {
			t.Fatalf("login from another origin = %+v, want blocked by the browser", r)
		}
		gets, preflights := s.Seen("GET /notes"), s.Seen("OPTIONS /notes")
		eval(t, ctx, fmt.Sprintf(`demo.setToken(%s) || {}`, js(token)))
		r = eval(t, ctx, `demo.listNotes()`)
		if !r.Blocked || r.Status != 0 {
			t.Fatalf("list from another origin = %+v, want blocked by the browser", r)
		}
		if s.Seen("OPTIONS /notes") <= preflights {
			t.Error("the browser sent no preflight")
		}
		if s.Seen("GET /notes") != gets {
			t.Error("the browser sent GET /notes although the preflight gave it no CORS headers")
		}
	})
}

// signIn gets the writer's access token outside the browser.
func signIn(t *testing.T, s *stack.Stack) string {
	t.Helper()
	body := fmt.Sprintf(`{"username":%q,"password":%q}`, stack.Writer, s.Passwords[stack.Writer])
	resp, err := http.Post(s.GatewayURL+"/auth/login", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ AccessToken string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.AccessToken == "" {
		t.Fatalf("sign-in: %s: %v", resp.Status, err)
	}
	return out.AccessToken
}
