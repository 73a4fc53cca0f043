package cors

import (
	"net/http"
	"slices"
	"strings"
)

// lookup returns a request header from an event, matching its name
// case-insensitively: HTTP API and ALB lowercase header names, REST keeps
// the client's casing. canon and lower are the canonical and lowercase
// forms of the name. multi (MultiValueHeaders) is preferred over single
// (Headers) because it keeps every value; list is non-nil only when the
// header has several values there. Every header lookup in this package
// goes through lookup.
func lookup(single map[string]string, multi map[string][]string, canon, lower string) (v string, list []string, ok bool) {
	if len(multi) > 0 {
		vs, found := multi[lower]
		if !found {
			vs, found = multi[canon]
		}
		if !found {
			for k, kv := range multi {
				if len(k) == len(canon) && strings.EqualFold(k, canon) {
					vs, found = kv, true
					break
				}
			}
		}
		switch {
		case len(vs) == 1:
			return vs[0], nil, true
		case len(vs) > 1:
			return vs[0], vs, true
		}
	}
	if len(single) == 0 {
		return "", nil, false
	}
	if v, ok = single[lower]; ok {
		return v, nil, true
	}
	if v, ok = single[canon]; ok {
		return v, nil, true
	}
	for k, kv := range single {
		if len(k) == len(canon) && strings.EqualFold(k, canon) {
			return kv, nil, true
		}
	}
	return "", nil, false
}

// read extracts what CORS needs from an event's method and headers. It
// returns false when the request has no Origin (or an empty one): such a
// request gets no CORS decision, only Vary (see [CORS.noOrigin]).
func (c *CORS) read(method string, single map[string]string, multi map[string][]string) (r request, ok bool) {
	origin, list, _ := lookup(single, multi, hOrigin, "origin")
	r.method, r.origin, r.badOrigin = method, origin, list != nil
	if method == http.MethodOptions {
		r.acrm, _, _ = lookup(single, multi, hACRM, "access-control-request-method")
	}
	if origin == "" {
		return r, false
	}
	if r.acrm == "" {
		return r, true
	}
	r.acrh, r.acrhList, _ = lookup(single, multi, hACRH, "access-control-request-headers")
	if c.privateNet {
		r.acrpn, _, _ = lookup(single, multi, hACRPN, "access-control-request-private-network")
	}
	return r, true
}

// sink says where merge writes the CORS headers of a response.
type sink uint8

const (
	toSingle sink = 1 << iota // Headers
	toMulti                   // MultiValueHeaders
	toBoth   = toSingle | toMulti
)

// managed reports whether a response header name belongs to the wrapper:
// Vary (extended) and every Access-Control-* header (replaced).
func managed(k string) bool {
	const prefix = "access-control-"
	return len(k) == len(hVary) && strings.EqualFold(k, hVary) ||
		len(k) > len(prefix) && strings.EqualFold(k[:len(prefix)], prefix)
}

// count returns how many headers d sets.
func (d *decision) count() int {
	n := 1 // Vary
	if d.allowOrigin == "" {
		return n
	}
	n++
	for _, s := range [...]string{d.allowMethods, d.allowHeaders, d.maxAge, d.exposeHeaders} {
		if s != "" {
			n++
		}
	}
	if d.allowHeadersList != nil {
		n++
	}
	if d.allowCreds {
		n++
	}
	if d.allowPrivateNet {
		n++
	}
	return n
}

// merge adds d's headers to a response's header maps, creating the maps
// that to asks for when nil, and returns them. Every Vary and
// Access-Control-* header already there, in any letter case and in
// either map, is removed first; the Vary values are kept (each distinct
// value once) and d's Vary is appended to them unless one of them equals
// it.
func (d *decision) merge(single map[string]string, multi map[string][]string, to sink) (map[string]string, map[string][]string) {
	// The handler's Vary values, each distinct value once.
	var prevBuf [4]string
	prev := prevBuf[:0]
	for k, v := range single {
		if managed(k) {
			if len(k) == len(hVary) && v != "" && !slices.Contains(prev, v) {
				prev = append(prev, v)
			}
			delete(single, k)
		}
	}
	for k, vs := range multi {
		if managed(k) {
			if len(k) == len(hVary) {
				for _, v := range vs {
					if v != "" && !slices.Contains(prev, v) {
						prev = append(prev, v)
					}
				}
			}
			delete(multi, k)
		}
	}
	// d's Vary goes last, once: a handler that already varies on exactly
	// the same list needs nothing added.
	if len(prev) > 0 && !slices.Contains(prev, d.vary) {
		prev = append(prev, d.vary)
	}
	if to&toSingle != 0 {
		if single == nil {
			single = make(map[string]string, d.count())
		}
		vary := d.vary
		if len(prev) > 0 {
			vary = strings.Join(prev, ", ")
		}
		single[hVary] = vary
		if d.allowOrigin != "" {
			single[hACAO] = d.allowOrigin
			if d.allowMethods != "" {
				single[hACAM] = d.allowMethods
			}
			if d.allowHeadersList != nil {
				single[hACAH] = strings.Join(d.allowHeadersList, ", ")
			} else if d.allowHeaders != "" {
				single[hACAH] = d.allowHeaders
			}
			if d.allowCreds {
				single[hACAC] = "true"
			}
			if d.allowPrivateNet {
				single[hACAPN] = "true"
			}
			if d.maxAge != "" {
				single[hACMA] = d.maxAge
			}
			if d.exposeHeaders != "" {
				single[hACEH] = d.exposeHeaders
			}
		}
	}
	if to&toMulti != 0 {
		n := d.count()
		if multi == nil {
			multi = make(map[string][]string, n)
		}
		// One backing array for every single-valued header; each slice is
		// capped so that appending to one cannot overwrite the next.
		buf := make([]string, 0, n)
		put := func(k, v string) {
			i := len(buf)
			buf = append(buf, v)
			multi[k] = buf[i : i+1 : i+1]
		}
		if len(prev) > 0 {
			multi[hVary] = append(make([]string, 0, len(prev)), prev...)
		} else {
			put(hVary, d.vary)
		}
		if d.allowOrigin != "" {
			put(hACAO, d.allowOrigin)
			if d.allowMethods != "" {
				put(hACAM, d.allowMethods)
			}
			if d.allowHeadersList != nil {
				multi[hACAH] = append([]string(nil), d.allowHeadersList...)
			} else if d.allowHeaders != "" {
				put(hACAH, d.allowHeaders)
			}
			if d.allowCreds {
				put(hACAC, "true")
			}
			if d.allowPrivateNet {
				put(hACAPN, "true")
			}
			if d.maxAge != "" {
				put(hACMA, d.maxAge)
			}
			if d.exposeHeaders != "" {
				put(hACEH, d.exposeHeaders)
			}
		}
	}
	return single, multi
}
