package redact

import (
	"cmp"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
)

// Sensitive keys inside values of kind Any: a map or struct logged whole
// (an API Gateway event, a header map) has its own keys, and the value of
// each one that is sensitive is masked as an attribute's would be.

// sensitiveKey reports whether key, as normKey normalises it, is one of
// cfg.keys.
func sensitiveKey[T ~string | ~[]byte](cfg *config, key T) bool {
	if len(key) < cfg.minKeyLen || len(cfg.keys) == 0 {
		return false
	}
	if h := keyEnds(key); cfg.keyBloom[h>>6]&(1<<(h&63)) == 0 {
		return false
	}
	// Normalise as normKey does, but give up as soon as the key is longer
	// than every key of the set: such a key cannot match, and a long one
	// (a JSON member name, say) costs no more than the longest key.
	var buf [64]byte
	b := buf[:0]
	for i := 0; i < len(key); i++ {
		c, ok := normByte(key[i])
		if !ok {
			continue
		}
		if len(b) == cfg.maxKeyLen {
			return false
		}
		b = append(b, c)
	}
	_, ok := cfg.keys[string(b)]
	return ok
}

// maskJSONKeys returns b, a JSON text as encoding/json writes it, with the
// value of every object member whose key is sensitive replaced by the mask
// as a JSON string. The result is valid JSON of the same structure. It
// walks b once and returns b itself, and false, when no key matched.
func (sc scrubber) maskJSONKeys(b []byte) ([]byte, bool) {
	var out []byte
	at := 0
	for i := 0; i < len(b); {
		if b[i] != '"' {
			i++
			continue
		}
		end := jsonStringEnd(b, i)
		if end > len(b) {
			break // unterminated: not JSON
		}
		j := skipJSONSpace(b, end)
		if j < len(b) && b[j] == ':' && sc.sensitiveJSONKey(b[i+1:end-1]) {
			v := skipJSONSpace(b, j+1)
			ve := jsonValueEnd(b, v)
			out = append(out, b[at:v]...)
			out = append(out, sc.cfg.maskJSON...)
			at, i = ve, ve
			continue
		}
		i = end
	}
	if out == nil {
		return b, false
	}
	return append(out, b[at:]...), true
}

// sensitiveJSONKey reports whether the JSON string contents raw, once
// unescaped, is a sensitive key.
func (sc scrubber) sensitiveJSONKey(raw []byte) bool {
	for _, c := range raw {
		if c == '\\' {
			var k string
			q := make([]byte, 0, len(raw)+2)
			q = append(append(append(q, '"'), raw...), '"')
			if json.Unmarshal(q, &k) != nil {
				return false
			}
			return sensitiveKey(sc.cfg, k)
		}
	}
	return sensitiveKey(sc.cfg, raw)
}

// jsonStringEnd returns the index after the string that starts at b[i], or
// len(b)+1 if the string is not terminated.
func jsonStringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b) + 1
}

func skipJSONSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// jsonValueEnd returns the index after the value that starts at b[i].
func jsonValueEnd(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return min(jsonStringEnd(b, i), len(b))
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = min(jsonStringEnd(b, j), len(b)) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' {
		j++
	}
	return j
}

// maxTextDepth bounds how deep textKeys follows maps, slices, interfaces
// and struct fields (fmt has no bound, and loops forever on a map that holds
// itself); deeper values print as "...".
const maxTextDepth = 16

// textKeys renders x as fmt's %+v does, except that the value of a struct
// field or of a string map key that is sensitive prints as the mask. Like
// fmt, and unlike encoding/json, it sees unexported fields; it prints a
// value that has an Error, String or Format method through that method,
// without looking into it, and a pointer below the top level as an address.
// It reports false, and the caller prints x with fmt, for a value that is
// not a struct, map, pointer, slice, array or interface, or that fmt prints
// through a method.
func (sc scrubber) textKeys(x any) (string, bool) {
	switch x.(type) {
	case error, fmt.Stringer, fmt.Formatter:
		return "", false
	}
	switch reflect.TypeOf(x).Kind() {
	case reflect.Struct, reflect.Map, reflect.Pointer, reflect.Slice, reflect.Array, reflect.Interface:
	default:
		return "", false
	}
	p := keyPrinter{cfg: sc.cfg, m: sc.m}
	p.value(reflect.ValueOf(x), 0)
	return string(p.b), true
}

// keyPrinter is the printer of textKeys.
type keyPrinter struct {
	cfg *config
	m   *matcher // scrubs byte slices before fmt prints them as numbers
	b   []byte
}

func (p *keyPrinter) mask() { p.b = append(p.b, p.cfg.mask...) }

func (p *keyPrinter) value(v reflect.Value, depth int) {
	if !v.IsValid() {
		p.b = append(p.b, "<nil>"...)
		return
	}
	if depth > maxTextDepth {
		p.b = append(p.b, "..."...)
		return
	}
	if v.CanInterface() {
		switch v.Interface().(type) {
		case error, fmt.Stringer, fmt.Formatter:
			p.b = fmt.Appendf(p.b, "%+v", v.Interface())
			return
		}
	}
	switch v.Kind() {
	case reflect.Struct:
		t := v.Type()
		p.b = append(p.b, '{')
		for i := range v.NumField() {
			if i > 0 {
				p.b = append(p.b, ' ')
			}
			name := t.Field(i).Name
			p.b = append(append(p.b, name...), ':')
			if sensitiveKey(p.cfg, name) {
				p.mask()
				continue
			}
			p.value(v.Field(i), depth+1)
		}
		p.b = append(p.b, '}')
	case reflect.Map:
		if v.IsNil() {
			p.b = append(p.b, "map[]"...)
			return
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, compareKeys)
		p.b = append(p.b, "map["...)
		for i, k := range keys {
			if i > 0 {
				p.b = append(p.b, ' ')
			}
			p.value(k, depth+1)
			p.b = append(p.b, ':')
			if sk := elem(k); sk.Kind() == reflect.String && sensitiveKey(p.cfg, sk.String()) {
				p.mask()
				continue
			}
			p.value(v.MapIndex(k), depth+1)
		}
		p.b = append(p.b, ']')
	case reflect.Pointer:
		switch v.Type().Elem().Kind() {
		case reflect.Struct, reflect.Map, reflect.Slice, reflect.Array:
			if depth == 0 && !v.IsNil() {
				p.b = append(p.b, '&')
				p.value(v.Elem(), depth+1)
				return
			}
		}
		if v.IsNil() {
			p.b = append(p.b, "<nil>"...)
			return
		}
		p.b = fmt.Appendf(p.b, "0x%x", v.Pointer()) // as fmt prints it below the top
	case reflect.Interface:
		if v.IsNil() {
			p.b = append(p.b, "<nil>"...)
			return
		}
		p.value(v.Elem(), depth+1)
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			p.b = fmt.Appendf(p.b, "%+v", v)
			return
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			p.bytes(v)
			return
		}
		p.b = append(p.b, '[')
		for i := range v.Len() {
			if i > 0 {
				p.b = append(p.b, ' ')
			}
			p.value(v.Index(i), depth+1)
		}
		p.b = append(p.b, ']')
	default:
		p.b = fmt.Appendf(p.b, "%+v", v)
	}
}

// bytes prints v, a slice or array of bytes, as fmt does (as decimal
// numbers, which no matcher would recognise), after masking what it holds.
func (p *keyPrinter) bytes(v reflect.Value) {
	var b []byte
	if v.Kind() == reflect.Slice || v.CanAddr() {
		b = v.Bytes()
	} else {
		b = make([]byte, v.Len())
		for i := range b {
			b[i] = byte(v.Index(i).Uint())
		}
	}
	if nb, ch := p.m.scrubBytes(b, p.cfg.mask, p.cfg.det); ch {
		p.b = fmt.Appendf(p.b, "%+v", nb)
		return
	}
	p.b = fmt.Appendf(p.b, "%+v", v)
}

// elem returns what the interface v holds, or v if it is no interface.
func elem(v reflect.Value) reflect.Value {
	for v.Kind() == reflect.Interface && !v.IsNil() {
		v = v.Elem()
	}
	return v
}

// compareKeys orders map keys as fmt does for the common kinds.
func compareKeys(a, b reflect.Value) int {
	if ea, eb := elem(a), elem(b); ea.Kind() != reflect.Interface && ea.Kind() == eb.Kind() {
		a, b = ea, eb
	}
	switch a.Kind() {
	case reflect.String:
		return cmp.Compare(a.String(), b.String())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return cmp.Compare(a.Int(), b.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return cmp.Compare(a.Uint(), b.Uint())
	case reflect.Float32, reflect.Float64:
		return cmp.Compare(a.Float(), b.Float())
	}
	return cmp.Compare(fmt.Sprint(a), fmt.Sprint(b))
}
