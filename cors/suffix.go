package cors

import "strings"

// sharedSuffixes are domains under which unrelated parties get hostnames:
// public suffixes (two-label country-code registries) and shared hosting
// domains, AWS's first. A pattern "https://*.<suffix>" would admit every
// site hosted there, so [New] refuses it unless
// [Options.InsecureAllowSharedDomainWildcard] is set.
//
// The list is short and deliberately incomplete (the full Public Suffix
// List would need golang.org/x/net/publicsuffix): it catches the common
// mistakes, it does not prove that a suffix is private.
var sharedSuffixes = map[string]bool{
	// AWS hosting domains that are shared by every account. amazonaws.com,
	// on.aws, awsapprunner.com and elasticbeanstalk.com are in
	// sharedSubtrees below: every name under them is shared too.
	"cloudfront.net":           true,
	"amplifyapp.com":           true,
	"awsglobalaccelerator.com": true,

	// Other common shared hosts.
	"github.io":             true,
	"gitlab.io":             true,
	"vercel.app":            true,
	"now.sh":                true,
	"netlify.app":           true,
	"netlify.com":           true,
	"herokuapp.com":         true,
	"pages.dev":             true,
	"workers.dev":           true,
	"web.app":               true,
	"firebaseapp.com":       true,
	"appspot.com":           true,
	"run.app":               true,
	"cloudfunctions.net":    true,
	"azurewebsites.net":     true,
	"azurestaticapps.net":   true,
	"azureedge.net":         true,
	"blob.core.windows.net": true,
	"trycloudflare.com":     true,
	"ngrok.io":              true,
	"ngrok-free.app":        true,
	"onrender.com":          true,
	"fly.dev":               true,
	"glitch.me":             true,
	"repl.co":               true,
	"surge.sh":              true,
	"blogspot.com":          true,

	// Two-label country-code suffixes.
	"co.uk": true, "org.uk": true, "me.uk": true, "ltd.uk": true, "plc.uk": true, "ac.uk": true, "gov.uk": true, "net.uk": true,
	"com.au": true, "net.au": true, "org.au": true, "edu.au": true, "gov.au": true, "id.au": true,
	"co.nz": true, "net.nz": true, "org.nz": true, "govt.nz": true, "ac.nz": true,
	"co.jp": true, "ne.jp": true, "or.jp": true, "ac.jp": true, "go.jp": true,
	"co.in": true, "net.in": true, "org.in": true, "firm.in": true, "gen.in": true, "ind.in": true, "gov.in": true, "ac.in": true,
	"com.br": true, "net.br": true, "org.br": true, "gov.br": true,
	"co.za": true, "org.za": true, "gov.za": true,
	"co.kr": true, "or.kr": true, "go.kr": true, "ac.kr": true,
	"com.cn": true, "net.cn": true, "org.cn": true, "gov.cn": true,
	"com.hk": true, "com.tw": true, "com.sg": true, "com.my": true, "com.ph": true, "co.id": true, "co.th": true, "com.vn": true,
	"com.mx": true, "com.ar": true, "com.co": true, "com.pe": true, "com.tr": true, "com.ua": true, "com.pl": true,
	"co.il": true, "com.sa": true, "com.eg": true, "com.ng": true, "co.ke": true,
}

// sharedSubtrees are shared domains whose every subdomain is shared as well:
// "*.execute-api.us-east-1.amazonaws.com", "*.s3.amazonaws.com" (bucket
// names may contain dots), "*.s3-website-us-east-1.amazonaws.com",
// "*.us-east-1.elb.amazonaws.com", "*.lambda-url.us-east-1.on.aws" and
// "*.us-east-1.awsapprunner.com" each cover other accounts' endpoints.
var sharedSubtrees = []string{
	"amazonaws.com",
	"amazonaws.com.cn",
	"on.aws",
	"awsapprunner.com",
	"elasticbeanstalk.com",
}

// sharedDomain reports whether host, the part of a subdomain pattern after
// "*.", is a shared domain (see sharedSuffixes).
func sharedDomain(host string) bool {
	if sharedSuffixes[host] {
		return true
	}
	for _, s := range sharedSubtrees {
		if host == s || strings.HasSuffix(host, "."+s) {
			return true
		}
	}
	return false
}

// wildcardHost returns the host of a subdomain pattern, "example.com" for
// "https://*.example.com:8443", and false for any other AllowedOrigins
// entry. p must already have passed patternProblem.
func wildcardHost(p string) (string, bool) {
	i := strings.Index(p, "://*.")
	if i < 0 {
		return "", false
	}
	host := p[i+len("://*."):]
	if j := strings.IndexByte(host, ':'); j >= 0 {
		host = host[:j]
	}
	return host, true
}
