package secenv

import (
	"encoding"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"time"
)

// kind is how a field's value is parsed.
type kind uint8

const (
	kindString kind = iota
	kindBool
	kindInt
	kindUint
	kindFloat
	kindDuration
	kindStrings
	kindURL
	kindURLPtr
	kindSecret
	kindText // implements encoding.TextUnmarshaler
)

// field is the plan for one tagged leaf field.
type field struct {
	index    []int
	path     string // Go field path, such as "DB.Password"
	name     string // variable name, prefix included
	kind     kind
	bits     int // for kindInt, kindUint, kindFloat
	typ      string
	required bool
	kms      bool
	secret   bool
	def      string
	hasDef   bool
}

// plan is the parsed tags of one struct type.
type plan struct {
	fields []field
	err    error // setup errors, joined
}

// plans caches one *plan per struct type, so that loading the same type
// again does no reflection on tags.
var plans sync.Map // reflect.Type -> *plan

func planFor(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	p := buildPlan(t)
	actual, _ := plans.LoadOrStore(t, p)
	return actual.(*plan)
}

var (
	secretType   = reflect.TypeFor[Secret]()
	urlType      = reflect.TypeFor[url.URL]()
	urlPtrType   = reflect.TypeFor[*url.URL]()
	durationType = reflect.TypeFor[time.Duration]()
	stringsType  = reflect.TypeFor[[]string]()
	textType     = reflect.TypeFor[encoding.TextUnmarshaler]()
)

func buildPlan(t reflect.Type) *plan {
	p := &plan{}
	var errs []error
	walk(t, nil, "", "", p, &errs)
	p.err = errors.Join(errs...)
	return p
}

// walk adds the tagged fields of struct type t to p, with index path idx,
// Go path prefix gp and variable prefix vp.
func walk(t reflect.Type, idx []int, gp, vp string, p *plan, errs *[]error) {
	for i := range t.NumField() {
		sf := t.Field(i)
		path := sf.Name
		if gp != "" {
			path = gp + "." + sf.Name
		}
		index := append(append([]int(nil), idx...), i)
		envTag, hasEnv := sf.Tag.Lookup("env")
		prefix, hasPrefix := sf.Tag.Lookup("prefix")
		_, hasDefault := sf.Tag.Lookup("default")
		setup := func(format string, args ...any) {
			*errs = append(*errs, &FieldError{Field: path, Err: fmt.Errorf("%w: "+format, append([]any{ErrSetup}, args...)...)})
		}
		if envTag == "-" {
			continue
		}
		nested := isNested(sf.Type)
		if !sf.IsExported() && !(sf.Anonymous && nested) {
			if hasEnv || hasPrefix || hasDefault {
				setup("unexported field has a tag")
			}
			continue
		}
		if nested {
			if hasEnv || hasDefault {
				setup("struct field takes a prefix tag, not env or default")
				continue
			}
			if hasPrefix && !validPrefix(prefix) {
				setup("prefix must hold only letters, digits and underscores")
				continue
			}
			walk(sf.Type, index, path, vp+prefix, p, errs)
			continue
		}
		if hasPrefix {
			setup("prefix applies only to struct fields")
			continue
		}
		if !hasEnv {
			if hasDefault {
				setup("default without env")
			}
			continue
		}
		tag, err := parseEnvTag(envTag)
		if err != nil {
			*errs = append(*errs, &FieldError{Field: path, Err: err})
			continue
		}
		f := field{index: index, path: path, name: vp + tag.name, required: tag.required, kms: tag.kms, secret: tag.secret, typ: sf.Type.String()}
		f.def, f.hasDef = sf.Tag.Lookup("default")
		f.kind, f.bits, err = kindOf(sf.Type)
		if err != nil {
			*errs = append(*errs, &FieldError{Field: path, Var: f.name, Err: err})
			continue
		}
		switch {
		case (f.kms || f.secret) && f.kind != kindSecret:
			setup("a kms or secret field must be of type secenv.Secret, not %s, so that the value cannot be printed", sf.Type)
			continue
		case f.required && f.hasDef:
			setup("a field cannot be both required and have a default")
			continue
		case f.kind == kindSecret && f.hasDef && !f.secret:
			setup("a Secret field other than a secret reference cannot have a default: secrets must not be hardcoded")
			continue
		case f.hasDef:
			if err := checkDefault(&f); err != nil {
				*errs = append(*errs, &FieldError{Field: path, Var: f.name, Err: err})
				continue
			}
		}
		p.fields = append(p.fields, f)
	}
}

// checkDefault parses f's default once, so that a bad default is a setup
// error reported whether or not the variable is set.
func checkDefault(f *field) error {
	if f.kind == kindSecret {
		if _, _, err := parseSecretRef(f.def); err != nil {
			return fmt.Errorf("%w: default is not a valid secret reference", ErrSetup)
		}
		return nil
	}
	if f.kind == kindText {
		return nil // parsed into the real field type at load time
	}
	v := reflect.New(reflectTypeForKind(f)).Elem()
	if err := setValue(v, f, f.def); err != nil {
		return fmt.Errorf("%w: default does not parse as %s", ErrSetup, f.typ)
	}
	return nil
}

// reflectTypeForKind returns a type that setValue can fill for f's kind.
func reflectTypeForKind(f *field) reflect.Type {
	switch f.kind {
	case kindBool:
		return reflect.TypeFor[bool]()
	case kindInt:
		return reflect.TypeFor[int64]()
	case kindUint:
		return reflect.TypeFor[uint64]()
	case kindFloat:
		return reflect.TypeFor[float64]()
	case kindDuration:
		return durationType
	case kindStrings:
		return stringsType
	case kindURL:
		return urlType
	case kindURLPtr:
		return urlPtrType
	}
	return reflect.TypeFor[string]()
}

// isNested reports whether t is a struct that Load recurses into rather than
// a leaf value.
func isNested(t reflect.Type) bool {
	if t.Kind() != reflect.Struct || t == secretType || t == urlType {
		return false
	}
	return !reflect.PointerTo(t).Implements(textType)
}

// kindOf maps a field type to how it is parsed.
func kindOf(t reflect.Type) (kind, int, error) {
	switch t {
	case secretType:
		return kindSecret, 0, nil
	case durationType:
		return kindDuration, 0, nil
	case urlType:
		return kindURL, 0, nil
	case urlPtrType:
		return kindURLPtr, 0, nil
	}
	if reflect.PointerTo(t).Implements(textType) {
		return kindText, 0, nil
	}
	switch t.Kind() {
	case reflect.String:
		return kindString, 0, nil
	case reflect.Bool:
		return kindBool, 0, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return kindInt, t.Bits(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return kindUint, t.Bits(), nil
	case reflect.Float32, reflect.Float64:
		return kindFloat, t.Bits(), nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.String {
			return kindStrings, 0, nil
		}
	}
	return 0, 0, fmt.Errorf("%w: unsupported field type %s", ErrSetup, t)
}

// envTag is a parsed env:"NAME,opt,..." tag.
type envTag struct {
	name     string
	required bool
	kms      bool
	secret   bool
}

// parseEnvTag parses the value of an env tag. Its errors wrap [ErrSetup].
func parseEnvTag(s string) (envTag, error) {
	name, rest, _ := strings.Cut(s, ",")
	t := envTag{name: name}
	if !validName(name) {
		return t, fmt.Errorf("%w: env tag needs a variable name of letters, digits and underscores, not starting with a digit", ErrSetup)
	}
	for rest != "" {
		var opt string
		opt, rest, _ = strings.Cut(rest, ",")
		switch strings.TrimSpace(opt) {
		case "required":
			t.required = true
		case "kms":
			t.kms = true
		case "secret":
			t.secret = true
		default:
			return t, fmt.Errorf("%w: unknown env tag option (want required, kms or secret)", ErrSetup)
		}
	}
	if t.kms && t.secret {
		return t, fmt.Errorf("%w: env tag cannot have both kms and secret", ErrSetup)
	}
	return t, nil
}

// validName reports whether s is a usable environment variable name:
// ASCII letters, digits and underscores, not starting with a digit.
func validName(s string) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	return validPrefix(s)
}

// validPrefix reports whether s holds only ASCII letters, digits and
// underscores (the empty prefix is valid).
func validPrefix(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
