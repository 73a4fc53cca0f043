// Package stack starts the examples' whole chain on loopback, from nothing:
// local-kms, cognito-local, dynalite and a Secrets Manager wire-protocol
// server; the notes table, the branch key store and a branch key; the
// example functions built and run under aws-lambda-rie with the template's
// environment; a demo CA with CRLs over HTTP; the local gateway over HTTP
// and over HTTPS with mutual TLS; and the web page on two origins (the one
// CORS allows, and another). [Stack.Scenario] then runs the demo's checks.
//
// Everything binds 127.0.0.1 on ports chosen at run time, and
// [Stack.Close] stops every process and server it started.
package stack

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"golang.org/x/sync/errgroup"

	"github.com/seclambda/seclambda/authorizer"
	"github.com/seclambda/seclambda/examples/datatier"
	"github.com/seclambda/seclambda/examples/local"
	"github.com/seclambda/seclambda/examples/web"
	"github.com/seclambda/seclambda/internal/testpeer"
)

// StackName names the functions, as the template's ${AWS::StackName} does.
const StackName = "seclambda-demo"

// The demo users. Their passwords are generated per run.
const (
	Writer = "alice" // in writers, whose usage plan key the authorizers name
	Reader = "bob"   // in readers: admitted by the authorizer, but no usage plan
	// Outsider is in no group: the authorizer denies it.
	Outsider = "carol"
	// Device is the mTLS device's user; its certificate's CN is the same.
	Device = "device-001"
)

// Options configures [Start].
type Options struct {
	// Progress receives one line per step; nil discards them.
	Progress io.Writer
	// Quota is the usage plan's daily quota per API key; zero means 10, so
	// that the scenario can exceed it quickly.
	Quota int
}

// Stack is the running chain. Its fields are read-only after [Start].
type Stack struct {
	// WebURL is the page on the origin the API allows (CORS).
	WebURL string
	// OtherWebURL is the same page on another origin.
	OtherWebURL string
	// GatewayURL and GatewayTLSURL are the gateway over HTTP and over
	// HTTPS with mutual TLS.
	GatewayURL, GatewayTLSURL string

	// Passwords of the demo users, by username.
	Passwords map[string]string
	// Gateway is the local gateway.
	Gateway *local.Gateway

	pki        *testpeer.PKI
	deviceCert *testpeer.Cert
	rootPool   *x509.CertPool
	pool       *testpeer.Pool
	iam        local.IAMIdentity
	usageKey   string
	quota      int
	secrets    []string // every decrypted value the functions hold
	upstream   atomic.Int64
	up         *upstreamService         // rotation.go
	sm         *testpeer.SecretsManager // for the rotation rows
	secretARN  string                   // the upstream credential's secret
	ddb        *dynamodb.Client         // straight to dynalite, as a reader of the table
	notesTable string
	subs       map[string]string // the demo users' subjects, by username
	noteText   string            // the text of the note the scenario creates

	mu      sync.Mutex
	funcs   map[string]*testpeer.Function
	stops   []func()
	seen    map[string]int // gateway requests by "METHOD path"
	logs    map[string]string
	stopped bool
}

func (s *Stack) progress(o Options, format string, args ...any) {
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, format+"\n", args...)
	}
}

func (s *Stack) onClose(f func()) {
	s.mu.Lock()
	s.stops = append(s.stops, f)
	s.mu.Unlock()
}

// Start builds and starts the whole chain. On error it stops whatever it
// had started. Cancelling ctx aborts the start.
func Start(ctx context.Context, o Options) (st *Stack, err error) {
	t0 := time.Now()
	s := &Stack{Passwords: map[string]string{}, funcs: map[string]*testpeer.Function{}, seen: map[string]int{}, quota: o.Quota}
	if s.quota == 0 {
		s.quota = 10
	}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	modDir, err := moduleDir()
	if err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp("", "seclambda-demo-")
	if err != nil {
		return nil, err
	}
	s.onClose(func() { os.RemoveAll(work) })

	// Build the functions while the peers start.
	builds := errgroup.Group{}
	for _, fn := range []string{"authorizer-cognito", "authorizer-mtls", "api", "iam-caller", "rotator"} {
		builds.Go(func() error {
			return testpeer.BuildFunctionTo(modDir, "./"+fn, filepath.Join(work, fn, "bootstrap"))
		})
	}

	s.progress(o, "starting local-kms, cognito-local, dynalite and Secrets Manager")
	var kmsPeer *testpeer.KMS
	var cog *testpeer.Cognito
	var dyn *testpeer.Dynamo
	peers := errgroup.Group{}
	peers.Go(func() error {
		d, stop, err := testpeer.LaunchDynamo()
		if err == nil {
			dyn = d
			s.onClose(stop)
		}
		return err
	})
	peers.Go(func() error {
		k, stop, err := testpeer.LaunchKMS()
		if err == nil {
			kmsPeer = k
			s.onClose(stop)
		}
		return err
	})
	peers.Go(func() error {
		c, stop, err := testpeer.LaunchCognito()
		if err == nil {
			cog = c
			s.onClose(stop)
		}
		return err
	})
	sm, stopSM := testpeer.LaunchSecretsManager()
	s.onClose(stopSM)
	if err := peers.Wait(); err != nil {
		_ = builds.Wait()
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		_ = builds.Wait()
		return nil, err
	}
	s.progress(o, "peers up after %v", time.Since(t0).Round(time.Millisecond))

	// Cognito: the pool, its client, the users and the writers group.
	if s.pool, err = cog.CreatePool(ctx, StackName+"-users"); err != nil {
		return nil, err
	}
	s.Passwords[Writer] = password()
	s.Passwords[Reader] = password()
	s.Passwords[Outsider] = password()
	s.Passwords[Device] = password()
	s.Passwords["client-revoked"] = password()
	writerSub, err := s.pool.CreateUser(ctx, Writer, s.Passwords[Writer], "writers")
	if err != nil {
		return nil, err
	}
	s.subs = map[string]string{Writer: writerSub}
	// client-revoked is a writer too: only its revoked certificate can
	// refuse it.
	groups := map[string][]string{Reader: {"readers"}, Device: {"writers"}, "client-revoked": {"writers"}}
	for _, u := range []string{Reader, Outsider, Device, "client-revoked"} {
		sub, err := s.pool.CreateUser(ctx, u, s.Passwords[u], groups[u]...)
		if err != nil {
			return nil, err
		}
		s.subs[u] = sub
	}

	// KMS: the key, and SIGNING_KEY encrypted for the api function alone.
	signingKey := "sk-" + randHex(24)
	upstreamCred := "up-" + randHex(20)
	// The note's text is decrypted by the api on every read: it counts as
	// a decrypted value in the log scan.
	s.noteText = "demo note " + randHex(12)
	s.secrets = []string{signingKey, upstreamCred, s.noteText}
	keyID, keyARN, err := kmsPeer.CreateKeyContext(ctx, "NotesKey")
	if err != nil {
		return nil, err
	}
	apiName := StackName + "-api"
	signingCiphertext, err := kmsPeer.EncryptContext(ctx, keyID, []byte(signingKey), map[string]string{"LambdaFunctionName": apiName})
	if err != nil {
		return nil, err
	}
	secretARN, _ := sm.PutString(StackName+"/upstream", upstreamSecret(upstreamCred))

	// DynamoDB: the notes table, and the key store with one branch key
	// wrapped by the same KMS key, as an operator creates it once.
	s.ddb = datatier.LocalDynamo(dyn.Endpoint, testpeer.DynamoRegion)
	data, err := datatier.Provision(ctx, s.ddb, kmsPeer.Client, StackName+"-notes",
		datatier.KeyStore{Table: StackName + "-keystore", KMSKeyARN: keyARN})
	if err != nil {
		return nil, err
	}
	s.notesTable = data.NotesTable
	s.progress(o, "cognito pool %s, kms key %s, secret %s", s.pool.ID, keyID, secretARN)

	// The demo CA: a good device certificate and a revoked one, CRLs over
	// HTTP, and the gateway's server certificate.
	now := time.Now()
	if s.pki, err = testpeer.BuildPKI(now); err != nil {
		return nil, err
	}
	if s.deviceCert, err = testpeer.NewLeaf(s.pki.Intermediate, now, testpeer.LeafOptions{CommonName: Device}); err != nil {
		return nil, err
	}
	s.rootPool = x509.NewCertPool()
	s.rootPool.AddCert(s.pki.Root.Cert)
	crlURL, err := s.serve(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/pkix-crl")
		_, _ = w.Write(bytes.Join(s.pki.CRLsPEM(), nil))
	}), nil)
	if err != nil {
		return nil, err
	}
	truststore := filepath.Join(work, "authorizer-mtls", "truststore.pem")
	s.up = &upstreamService{notified: &s.upstream, password: upstreamCred}
	upstreamURL, err := s.serve(s.up, nil)
	if err != nil {
		return nil, err
	}

	if err := builds.Wait(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := os.WriteFile(truststore, s.pki.TrustStorePEM(), 0o644); err != nil {
		return nil, err
	}
	s.progress(o, "functions built after %v", time.Since(t0).Round(time.Millisecond))

	// Listeners first: the page's origin is the api's ALLOWED_ORIGIN.
	// Each listener is closed with the stack, so that every error return
	// below releases it; closing one that serveOn closed is harmless.
	var ls [4]net.Listener
	for i := range ls {
		if ls[i], err = listen(); err != nil {
			return nil, err
		}
		l := ls[i]
		s.onClose(func() { l.Close() })
	}
	webL, otherL, gwL, tlsL := ls[0], ls[1], ls[2], ls[3]
	s.WebURL = "http://" + webL.Addr().String()
	s.OtherWebURL = "http://" + otherL.Addr().String()
	s.GatewayURL = "http://" + gwL.Addr().String()
	s.GatewayTLSURL = "https://" + tlsL.Addr().String()
	origin := s.WebURL

	s.usageKey = "demo-writers-usage-key-" + randHex(8)
	cognitoEnv := map[string]string{
		"COGNITO_USER_POOL_ID":       s.pool.ID,
		"COGNITO_CLIENT_IDS":         s.pool.ClientID,
		"COGNITO_ISSUER":             s.pool.Issuer,
		"ALLOW_HTTP_LOOPBACK_ISSUER": "true",
		"USAGE_KEY_BY_GROUP":         "writers=" + s.usageKey,
		"AWS_LAMBDA_LOG_FORMAT":      "JSON",
	}
	env := map[string]map[string]string{
		"authorizer-cognito": merge(cognitoEnv, map[string]string{
			"COGNITO_TOKEN_USE": "access",
			"ALLOWED_GROUPS":    "writers,readers",
			"API_ROUTES":        "GET /token",
		}),
		"authorizer-mtls": merge(cognitoEnv, map[string]string{
			"TRUSTSTORE_FILE": truststore,
			"CRL_URL":         crlURL,
			"API_ROUTES":      "GET /device",
		}),
		"api": {
			"ALLOWED_ORIGIN":                   origin,
			"SIGNING_KEY":                      signingCiphertext,
			"KMS_KEY_ARN":                      keyARN,
			"UPSTREAM_SECRET_ARN":              secretARN + "#password",
			"UPSTREAM_URL":                     upstreamURL,
			"AWS_REGION":                       testpeer.KMSRegion,
			"AWS_ACCESS_KEY_ID":                "AKIDLOCALDEMO",
			"AWS_SECRET_ACCESS_KEY":            "local-demo-not-a-secret",
			"AWS_ENDPOINT_URL_KMS":             kmsPeer.Endpoint,
			"AWS_ENDPOINT_URL_SECRETS_MANAGER": sm.URL,
			"AWS_ENDPOINT_URL_DYNAMODB":        dyn.Endpoint,
			"AWS_LAMBDA_LOG_FORMAT":            "JSON",
			"NOTES_TABLE":                      data.NotesTable,
			"KEY_STORE_TABLE":                  data.KeyStore.Table,
			"BRANCH_KEY_ID":                    data.BranchKeyID,
		},
		"iam-caller": {
			"IDENTITY_POOL_ID":      testpeer.KMSRegion + ":" + uuid(),
			"AWS_LAMBDA_LOG_FORMAT": "JSON",
		},
		"rotator": {
			"ROTATION_STRATEGY":                "single-user",
			"UPSTREAM_ADMIN_URL":               upstreamURL,
			"AWS_REGION":                       testpeer.KMSRegion,
			"AWS_ACCESS_KEY_ID":                "AKIDLOCALDEMO",
			"AWS_SECRET_ACCESS_KEY":            "local-demo-not-a-secret",
			"AWS_ENDPOINT_URL_SECRETS_MANAGER": sm.URL,
			"AWS_LAMBDA_LOG_FORMAT":            "JSON",
		},
	}
	// Registered first, so that functions started before a failure stop.
	s.onClose(func() { s.StopFunctions() })
	starts := errgroup.Group{}
	for name, e := range env {
		e["AWS_LAMBDA_FUNCTION_NAME"] = StackName + "-" + name
		starts.Go(func() error {
			f, err := testpeer.LaunchFunction(filepath.Join(work, name, "bootstrap"), e)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			s.mu.Lock()
			s.funcs[name] = f
			s.mu.Unlock()
			return nil
		})
	}
	if err := starts.Wait(); err != nil {
		return nil, err
	}
	s.startRotation(sm, secretARN)
	s.progress(o, "functions running under aws-lambda-rie after %v", time.Since(t0).Round(time.Millisecond))

	// The gateway.
	// The template's UserPoolAuthorizer: AuthorizationScopes
	// [aws.cognito.signin.user.admin], so access tokens only.
	userPool, err := authorizer.NewCognitoVerifier(authorizer.CognitoConfig{
		UserPoolID: s.pool.ID, ClientIDs: []string{s.pool.ClientID}, TokenUse: authorizer.TokenUseAccess,
		RequiredScopes: []string{"aws.cognito.signin.user.admin"},
		Issuer:         s.pool.Issuer,
		Settings:       authorizer.Settings{InsecureAllowHTTPLoopback: true},
	})
	if err != nil {
		return nil, err
	}
	jwt, err := authorizer.NewCognitoVerifier(authorizer.CognitoConfig{
		UserPoolID: s.pool.ID, ClientIDs: []string{s.pool.ClientID}, TokenUse: authorizer.TokenUseAny,
		Issuer:   s.pool.Issuer,
		Settings: authorizer.Settings{InsecureAllowHTTPLoopback: true},
	})
	if err != nil {
		return nil, err
	}
	s.iam = local.IAMIdentity{
		AccessKeyID: "ASIA" + strings.ToUpper(randHex(8)), SecretAccessKey: randHex(20), SessionToken: randHex(32),
		AccountID: "123456789012",
		Caller:    "AROADEMOFEDERATEDCALLER:CognitoIdentityCredentials",
		User:      "AROADEMOFEDERATEDCALLER:CognitoIdentityCredentials",
		UserARN:   "arn:aws:sts::123456789012:assumed-role/" + StackName + "-FederatedCallerRole/CognitoIdentityCredentials",

		CognitoIdentityID:         testpeer.KMSRegion + ":" + uuid(),
		CognitoIdentityPoolID:     env["iam-caller"]["IDENTITY_POOL_ID"],
		CognitoAuthenticationType: "authenticated",
		CognitoAuthenticationProvider: "cognito-idp.us-east-1.amazonaws.com/" + s.pool.ID +
			",cognito-idp.us-east-1.amazonaws.com/" + s.pool.ID + ":CognitoSignIn:" + writerSub,
	}
	caller := s.funcs["iam-caller"]
	notes := s.funcs["api"]
	s.Gateway, err = local.New(local.Config{
		REST: []local.RESTRoute{
			{Method: "GET", Resource: "/token", Function: caller, APIKeyRequired: true, Authorizer: &local.LambdaAuthorizer{
				Function: s.funcs["authorizer-cognito"], Type: local.TokenAuthorizer,
				ValidationExpression: regexp.MustCompile(`^Bearer [-_A-Za-z0-9.]+$`), TTL: 300 * time.Second,
			}},
			{Method: "GET", Resource: "/device", Function: caller, APIKeyRequired: true, Authorizer: &local.LambdaAuthorizer{
				Function: s.funcs["authorizer-mtls"], Type: local.RequestAuthorizer,
			}},
			// As in the template: API keys come from the Lambda
			// authorizers, so user pool and IAM routes require none.
			{Method: "GET", Resource: "/profile", Function: caller, UserPool: userPool},
			{Method: "GET", Resource: "/whoami", Function: caller, IAM: true},
		},
		HTTP: []local.HTTPRoute{
			{RouteKey: "GET /notes", Function: notes, JWT: jwt},
			{RouteKey: "POST /notes", Function: notes, JWT: jwt},
			{RouteKey: "GET /notes/{id}", Function: notes, JWT: jwt},
			{RouteKey: "DELETE /notes/{id}", Function: notes, JWT: jwt},
			{RouteKey: "OPTIONS /{proxy+}", Function: notes},
		},
		UsagePlan: local.UsagePlan{
			Keys: []string{s.usageKey}, RateLimit: 10, BurstLimit: 20,
			QuotaLimit: s.quota, QuotaPeriod: 24 * time.Hour,
		},
		IAM:                    []local.IAMIdentity{s.iam},
		GatewayResponseHeaders: map[string]string{"Access-Control-Allow-Origin": origin, "Vary": "Origin"},
		AllowedOrigin:          origin,
		Login:                  &local.Login{CognitoEndpoint: cog.Endpoint, ClientID: s.pool.ClientID},
		Log:                    slog.New(slog.DiscardHandler),
	})
	if err != nil {
		return nil, err
	}
	counted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.seen[r.Method+" "+r.URL.Path]++
		s.mu.Unlock()
		s.Gateway.ServeHTTP(w, r)
	})
	serverCert, err := serverCertificate(s.pki.Intermediate, now)
	if err != nil {
		return nil, err
	}
	clientCAs := x509.NewCertPool()
	clientCAs.AppendCertsFromPEM(s.pki.TrustStorePEM())
	s.serveOn(webL, web.Handler(s.GatewayURL), nil)
	s.serveOn(otherL, web.Handler(s.GatewayURL), nil)
	s.serveOn(gwL, counted, nil)
	s.serveOn(tlsL, counted, &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{serverCert},
		ClientAuth:   tls.VerifyClientCertIfGiven,
		ClientCAs:    clientCAs,
	})
	s.progress(o, "gateway up after %v", time.Since(t0).Round(time.Millisecond))
	return s, nil
}

// Close stops every process and server the stack started, in reverse
// order. It is safe to call more than once.
func (s *Stack) Close() {
	s.mu.Lock()
	stops := s.stops
	s.stops = nil
	s.mu.Unlock()
	for i := len(stops) - 1; i >= 0; i-- {
		stops[i]()
	}
}

// StopFunctions stops the functions and keeps their complete output for
// [Stack.Logs]. It is safe to call more than once.
func (s *Stack) StopFunctions() {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	s.stopped = true
	funcs := s.funcs
	s.mu.Unlock()
	logs := map[string]string{}
	var wg sync.WaitGroup
	var lmu sync.Mutex
	for name, f := range funcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := f.Stop()
			lmu.Lock()
			logs[name] = out
			lmu.Unlock()
		}()
	}
	wg.Wait()
	s.mu.Lock()
	s.logs = logs
	s.mu.Unlock()
}

// Logs returns every function's output by name: complete once
// [Stack.StopFunctions] has run, so far otherwise.
func (s *Stack) Logs() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.logs != nil {
		return s.logs
	}
	out := map[string]string{}
	for name, f := range s.funcs {
		out[name] = f.Output()
	}
	return out
}

// Seen returns how many requests the gateway received for "METHOD path".
func (s *Stack) Seen(methodPath string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen[methodPath]
}

// serve starts an HTTP server for h on a new loopback listener and returns
// its URL.
func (s *Stack) serve(h http.Handler, cfg *tls.Config) (string, error) {
	l, err := listen()
	if err != nil {
		return "", err
	}
	s.serveOn(l, h, cfg)
	scheme := "http"
	if cfg != nil {
		scheme = "https"
	}
	return scheme + "://" + l.Addr().String(), nil
}

func (s *Stack) serveOn(l net.Listener, h http.Handler, cfg *tls.Config) {
	srv := &http.Server{Handler: h, TLSConfig: cfg, ReadHeaderTimeout: 10 * time.Second}
	if cfg != nil {
		go func() { _ = srv.ServeTLS(l, "", "") }()
	} else {
		go func() { _ = srv.Serve(l) }()
	}
	s.onClose(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			srv.Close()
		}
	})
}

func listen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }

// moduleDir returns the examples module's directory.
func moduleDir() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("stack: go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull || !strings.HasSuffix(filepath.Dir(mod), "examples") {
		return "", errors.New("stack: run from the examples module (cd examples)")
	}
	return filepath.Dir(mod), nil
}

// serverCertificate issues the gateway's TLS certificate for 127.0.0.1
// and localhost from the demo CA.
func serverCertificate(ca *testpeer.Cert, now time.Time) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "seclambda demo gateway"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(7 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der, ca.DER}, PrivateKey: key}, nil
}

// clientTLS is a TLS client configuration that trusts the demo CA and,
// when cert is not nil, presents it.
func (s *Stack) clientTLS(cert *testpeer.Cert) *tls.Config {
	cfg := &tls.Config{RootCAs: s.rootPool, MinVersion: tls.VersionTLS12}
	if cert != nil {
		cfg.Certificates = []tls.Certificate{{
			Certificate: [][]byte{cert.DER, s.pki.Intermediate.DER},
			PrivateKey:  cert.Key,
		}}
	}
	return cfg
}

func merge(a, b map[string]string) map[string]string {
	out := make(map[string]string, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// password returns a password that meets the template's policy.
func password() string { return "Demo-" + randHex(8) + "!Aa1" }

func uuid() string {
	h := randHex(16)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
