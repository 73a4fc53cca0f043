package local

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
)

// serveLogin proxies a sign-in to Cognito's InitiateAuth with
// USER_PASSWORD_AUTH and answers with the tokens, for the allowed browser
// origin. Any failure is a bare 401: the page learns nothing about why.
func (g *Gateway) serveLogin(w http.ResponseWriter, r *http.Request, body []byte) {
	origin := r.Header.Get("Origin")
	w.Header().Add("Vary", "Origin")
	if origin != "" && origin == g.cfg.AllowedOrigin {
		w.Header().Set("Access-Control-Allow-Origin", origin)
	}
	if g.cfg.Login == nil {
		writeJSONError(w, http.StatusNotFound, "Not Found")
		return
	}
	if r.Method == http.MethodOptions {
		w.Header().Add("Vary", "Access-Control-Request-Method")
		w.Header().Add("Vary", "Access-Control-Request-Headers")
		if origin != "" && origin == g.cfg.AllowedOrigin {
			w.Header().Set("Access-Control-Allow-Methods", "POST")
			w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
			w.Header().Set("Access-Control-Max-Age", "600")
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if r.Method != http.MethodPost {
		writeJSONError(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if json.Unmarshal(body, &in) != nil || in.Username == "" || in.Password == "" {
		writeJSONError(w, http.StatusBadRequest, "body must be {\"username\": ..., \"password\": ...}")
		return
	}
	req, _ := json.Marshal(map[string]any{
		"ClientId":       g.cfg.Login.ClientID,
		"AuthFlow":       "USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": in.Username, "PASSWORD": in.Password},
	})
	hr, err := http.NewRequestWithContext(r.Context(), http.MethodPost, g.cfg.Login.CognitoEndpoint+"/", bytes.NewReader(req))
	if err != nil {
		writeJSONError(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	hr.Header.Set("Content-Type", "application/x-amz-json-1.1")
	hr.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.InitiateAuth")
	resp, err := g.hc.Do(hr)
	if err != nil {
		g.log.Warn("sign-in: cognito unreachable")
		writeJSONError(w, http.StatusBadGateway, "Bad Gateway")
		return
	}
	defer resp.Body.Close()
	var out struct {
		AuthenticationResult struct {
			AccessToken string
			IdToken     string
			ExpiresIn   int
		}
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK || json.Unmarshal(data, &out) != nil || out.AuthenticationResult.AccessToken == "" {
		g.log.Info("sign-in refused", "status", resp.StatusCode)
		writeJSONError(w, http.StatusUnauthorized, "Unauthorized")
		return
	}
	b, _ := json.Marshal(map[string]any{
		"accessToken": out.AuthenticationResult.AccessToken,
		"idToken":     out.AuthenticationResult.IdToken,
		"expiresIn":   out.AuthenticationResult.ExpiresIn,
	})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}
