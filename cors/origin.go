package cors

import "strings"

// hostChar marks the bytes allowed in a host label of a serialized origin:
// browsers send hosts lowercased and punycoded, so only a-z, 0-9, '-' and
// '_' occur between the dots.
var hostChar = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['-'], t['_'] = true, true
	return t
}()

// originProblem returns "" when s is an origin as a browser serializes it
// (scheme "://" host [":" port], all lowercase, nothing else), and otherwise
// a short reason. The reasons are constants, so the hot path does not
// allocate; [New] puts them in its errors.
//
// Requests whose Origin fails this check never get CORS headers, even when
// rs/cors would accept them (it lowercases the origin before comparing and
// lets a wildcard match any bytes). A browser never sends such an origin,
// so refusing them only refuses forgeries.
func originProblem(s string) string {
	i := strings.Index(s, "://")
	if i < 0 {
		return "no scheme:// prefix"
	}
	if i == 0 || s[0] < 'a' || s[0] > 'z' {
		return "invalid scheme"
	}
	for j := 1; j < i; j++ {
		c := s[j]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
			return "invalid scheme"
		}
	}
	hp := s[i+3:]
	var port string
	if strings.HasPrefix(hp, "[") {
		end := strings.IndexByte(hp, ']')
		if end < 2 {
			return "invalid IPv6 host"
		}
		for j := 1; j < end; j++ {
			c := hp[j]
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c == ':' || c == '.') {
				return "invalid IPv6 host"
			}
		}
		switch rest := hp[end+1:]; {
		case rest == "":
		case rest[0] == ':':
			port = rest[1:]
			if port == "" {
				return "empty port"
			}
		default:
			return "text after the host"
		}
	} else {
		label := 0
	scan:
		for j := 0; j < len(hp); j++ {
			c := hp[j]
			switch {
			case hostChar[c]:
				label++
				continue
			case c == '.':
				if label == 0 {
					return "empty host label"
				}
				label = 0
				continue
			case c == ':':
				port = hp[j+1:]
				if port == "" {
					return "empty port"
				}
				break scan
			case c == '@':
				return "userinfo"
			case c == '/':
				return "path or trailing slash"
			case c == '?' || c == '#':
				return "query or fragment"
			case c >= 'A' && c <= 'Z':
				return "uppercase letter"
			default:
				return "invalid host character"
			}
		}
		if label == 0 {
			return "empty host label"
		}
	}
	if port != "" {
		if len(port) > 5 || port[0] == '0' && len(port) > 1 {
			return "invalid port"
		}
		n := 0
		for j := 0; j < len(port); j++ {
			c := port[j]
			if c < '0' || c > '9' {
				if c == '/' {
					return "path or trailing slash"
				}
				return "invalid port"
			}
			n = n*10 + int(c-'0')
		}
		if n > 65535 {
			return "invalid port"
		}
	}
	return ""
}

// patternProblem returns "" when o, already lowercased, is an acceptable
// AllowedOrigins entry other than "*" and "null": an exact origin, or an
// origin with exactly one "*" standing for the whole leftmost host label
// ("https://*.example.com", "https://*.example.com:8443") or for the whole
// port ("http://localhost:*"). Otherwise it returns a short reason.
func patternProblem(o string) string {
	i := strings.IndexByte(o, '*')
	if i < 0 {
		return originProblem(o)
	}
	if strings.Count(o, "*") > 1 {
		return "more than one *"
	}
	prefix, suffix := o[:i], o[i+1:]
	switch {
	case strings.HasSuffix(prefix, "://") && strings.HasPrefix(suffix, "."):
		if p := originProblem(prefix + "x" + suffix); p != "" {
			return p
		}
		host := suffix[1:]
		if j := strings.IndexByte(host, ':'); j >= 0 {
			host = host[:j]
		}
		if !strings.Contains(host, ".") && host != "localhost" {
			return "* covers a whole top-level domain"
		}
		return ""
	case suffix == "" && strings.HasSuffix(prefix, ":") && strings.Contains(prefix, "://"):
		return originProblem(prefix + "1")
	default:
		return "* must be the whole leftmost host label (https://*.example.com) or the whole port (http://localhost:*)"
	}
}
