package secenv

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// setValue parses raw as f's type into v. Its errors wrap [ErrInvalid] and
// never contain raw, a part of it, or a parser message that could quote it.
func setValue(v reflect.Value, f *field, raw string) error {
	switch f.p.kind {
	case kindSecret:
		v.Set(reflect.ValueOf(NewSecret(raw)))
		return nil
	case kindSlice:
		return setSlice(v, f, raw)
	case kindMap:
		return setMap(v, f, raw)
	case kindPtr:
		ptr := reflect.New(f.p.elem.typ)
		if err := setScalar(ptr.Elem(), f.p.elem, raw); err != nil {
			return fmt.Errorf("%w: %s", ErrInvalid, err.Error())
		}
		v.Set(ptr)
		return nil
	case kindJSON:
		return setJSON(v, f.p, raw)
	}
	if err := setScalar(v, f.p, raw); err != nil {
		return fmt.Errorf("%w: %s", ErrInvalid, err.Error())
	}
	return nil
}

// scalarError describes why a scalar did not parse, without the input.
type scalarError string

func (e scalarError) Error() string { return string(e) }

// setScalar parses raw into v, whose parser p is a scalar kind. Its errors
// are scalarErrors: they describe the expected form and never quote raw.
func setScalar(v reflect.Value, p *parser, raw string) error {
	switch p.kind {
	case kindString:
		v.SetString(raw)
	case kindBool:
		b, err := strconv.ParseBool(strings.TrimSpace(raw))
		if err != nil {
			return want(p, "a bool (true/false, 1/0)", err)
		}
		v.SetBool(b)
	case kindInt:
		n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, p.bits)
		if err != nil {
			return want(p, "", err)
		}
		v.SetInt(n)
	case kindUint:
		n, err := strconv.ParseUint(strings.TrimSpace(raw), 10, p.bits)
		if err != nil {
			return want(p, "", err)
		}
		v.SetUint(n)
	case kindFloat:
		n, err := strconv.ParseFloat(strings.TrimSpace(raw), p.bits)
		if err != nil {
			return want(p, "", err)
		}
		v.SetFloat(n)
	case kindDuration:
		d, err := time.ParseDuration(strings.TrimSpace(raw))
		if err != nil {
			return want(p, "a duration such as 1.5s or 300ms", nil)
		}
		v.SetInt(int64(d))
	case kindURL:
		u, err := url.Parse(strings.TrimSpace(raw))
		if err != nil {
			return want(p, "a URL", nil)
		}
		v.Set(reflect.ValueOf(*u))
	case kindText:
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(raw)); err != nil {
			return want(p, "", nil)
		}
	default:
		return scalarError("unsupported type " + p.typ.String())
	}
	return nil
}

// want builds the error for a scalar that does not parse. w describes the
// expected form; err, a strconv error, contributes only its reason (syntax
// or range), never the quoted input.
func want(p *parser, w string, err error) error {
	var ne *strconv.NumError
	if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
		return scalarError("out of range for " + p.typ.String())
	}
	if w == "" {
		w = "a valid " + p.typ.String()
	}
	return scalarError("want " + w)
}

// setSlice parses a list: items are split at f.sep, trimmed, and empty
// items dropped. An error names the item by position (from 1).
func setSlice(v reflect.Value, f *field, raw string) error {
	items := splitList(raw, f.sep)
	out := reflect.MakeSlice(f.p.typ, 0, len(items))
	for i, item := range items {
		e := reflect.New(f.p.elem.typ).Elem()
		if err := setScalar(e, f.p.elem, item); err != nil {
			return fmt.Errorf("%w: item %d: %s", ErrInvalid, i+1, err.Error())
		}
		out = reflect.Append(out, e)
	}
	if len(items) == 0 {
		out = reflect.Zero(f.p.typ)
	}
	v.Set(out)
	return nil
}

// setMap parses key-value items such as k1:v1,k2:v2: items are split at
// f.sep, trimmed and empty items dropped, then each is cut at the first
// f.kvSep and its key and value trimmed. An item without the separator, an
// empty key or a key given twice is an error. An error names the item by
// position (from 1), never its key or value.
func setMap(v reflect.Value, f *field, raw string) error {
	items := splitList(raw, f.sep)
	out := reflect.MakeMapWithSize(f.p.typ, len(items))
	for i, item := range items {
		ks, vs, ok := strings.Cut(item, f.kvSep)
		ks, vs = strings.TrimSpace(ks), strings.TrimSpace(vs)
		switch {
		case !ok:
			return fmt.Errorf("%w: item %d: want key%svalue", ErrInvalid, i+1, f.kvSep)
		case ks == "":
			return fmt.Errorf("%w: item %d: empty key", ErrInvalid, i+1)
		}
		k := reflect.New(f.p.key.typ).Elem()
		if err := setScalar(k, f.p.key, ks); err != nil {
			return fmt.Errorf("%w: item %d key: %s", ErrInvalid, i+1, err.Error())
		}
		if out.MapIndex(k).IsValid() {
			return fmt.Errorf("%w: item %d repeats a key", ErrInvalid, i+1)
		}
		e := reflect.New(f.p.elem.typ).Elem()
		if err := setScalar(e, f.p.elem, vs); err != nil {
			return fmt.Errorf("%w: item %d value: %s", ErrInvalid, i+1, err.Error())
		}
		out.SetMapIndex(k, e)
	}
	if len(items) == 0 {
		out = reflect.Zero(f.p.typ)
	}
	v.Set(out)
	return nil
}

// setJSON decodes raw, one JSON value, into a new value of v's type and
// stores it in v. Object keys that the type does not have are an error, as
// is anything after the value. The error gives the byte offset and the Go
// type that was expected, never the input or the keys it holds.
func setJSON(v reflect.Value, p *parser, raw string) error {
	dst := reflect.New(p.typ)
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst.Interface())
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			return fmt.Errorf("%w: want one JSON value for %s, with nothing after it", ErrInvalid, p.typ)
		}
		v.Set(dst.Elem())
		return nil
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("%w: want JSON for %s: syntax error at byte %d", ErrInvalid, p.typ, se.Offset)
	case errors.As(err, &te):
		return fmt.Errorf("%w: want JSON for %s: the value before byte %d does not fit %s", ErrInvalid, p.typ, te.Offset, te.Type)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: want JSON for %s: incomplete value", ErrInvalid, p.typ)
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return fmt.Errorf("%w: want JSON for %s: an object key that %s does not have", ErrInvalid, p.typ, p.typ)
	}
	return fmt.Errorf("%w: want JSON for %s", ErrInvalid, p.typ)
}

// splitList splits a list at each sep, trimming spaces around each item
// and dropping empty items. An empty or blank raw gives nil.
func splitList(raw, sep string) []string {
	var out []string
	for item := range strings.SplitSeq(raw, sep) {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
