package secenv

import (
	"encoding"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// setValue parses raw as f's kind into v. Its errors wrap [ErrInvalid] and
// never contain raw or a parser message that could quote it.
func setValue(v reflect.Value, f *field, raw string) error {
	switch f.kind {
	case kindString:
		v.SetString(raw)
	case kindBool:
		b, err := strconv.ParseBool(strings.TrimSpace(raw))
		if err != nil {
			return invalid(f, "a bool (true/false, 1/0)", err)
		}
		v.SetBool(b)
	case kindInt:
		n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, f.bits)
		if err != nil {
			return invalid(f, "", err)
		}
		v.SetInt(n)
	case kindUint:
		n, err := strconv.ParseUint(strings.TrimSpace(raw), 10, f.bits)
		if err != nil {
			return invalid(f, "", err)
		}
		v.SetUint(n)
	case kindFloat:
		n, err := strconv.ParseFloat(strings.TrimSpace(raw), f.bits)
		if err != nil {
			return invalid(f, "", err)
		}
		v.SetFloat(n)
	case kindDuration:
		d, err := time.ParseDuration(strings.TrimSpace(raw))
		if err != nil {
			return invalid(f, "a duration such as 1.5s or 300ms", nil)
		}
		v.SetInt(int64(d))
	case kindStrings:
		v.Set(reflect.ValueOf(splitList(raw, f.sep)))
	case kindURL, kindURLPtr:
		u, err := url.Parse(strings.TrimSpace(raw))
		if err != nil {
			return invalid(f, "a URL", nil)
		}
		if f.kind == kindURL {
			v.Set(reflect.ValueOf(*u))
		} else {
			v.Set(reflect.ValueOf(u))
		}
	case kindSecret:
		v.Set(reflect.ValueOf(NewSecret(raw)))
	case kindText:
		if !v.CanAddr() {
			return invalid(f, "", nil)
		}
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(raw)); err != nil {
			return invalid(f, "", nil)
		}
	default:
		return fmt.Errorf("%w: unsupported field type %s", ErrConfig, f.typ)
	}
	return nil
}

// invalid builds the error for a value that does not parse. want describes
// the expected form; err, a strconv error, contributes only its reason
// (syntax or range), never the quoted input.
func invalid(f *field, want string, err error) error {
	if want == "" {
		want = "a valid " + f.typ
	}
	var ne *strconv.NumError
	if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
		return fmt.Errorf("%w: out of range for %s", ErrInvalid, f.typ)
	}
	return fmt.Errorf("%w: want %s", ErrInvalid, want)
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
