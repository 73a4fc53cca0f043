// Package web is the demo's frontend tier: a static page, served from its
// own loopback origin, that signs in through the local gateway's Cognito
// proxy and calls the notes API with the access token, showing every
// response and every request the browser itself blocked for CORS.
//
// The page keeps the token in memory only (never in localStorage), builds
// its DOM with textContent (never innerHTML), and is served with a strict
// Content-Security-Policy whose connect-src is the gateway alone.
//
// For tests, the page exposes window.demo: login, setToken, listNotes,
// createNote, deleteNote and call, each resolving to {status, body} or
// {error, blocked} without throwing.
package web

import (
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
)

//go:embed static
var static embed.FS

// Handler serves the page, and /config.json telling it the gateway's base
// URL. It is safe for concurrent use.
func Handler(gatewayURL string) http.Handler {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	files := http.FileServerFS(sub)
	cfg, _ := json.Marshal(map[string]string{"gateway": gatewayURL})
	csp := "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' " + gatewayURL +
		"; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if r.URL.Path == "/config.json" {
			h.Set("Content-Type", "application/json")
			_, _ = w.Write(cfg)
			return
		}
		files.ServeHTTP(w, r)
	})
}
