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

// kind is how a value is parsed.
type kind uint8

const (
	kindString kind = iota
	kindBool
	kindInt
	kindUint
	kindFloat
	kindDuration
	kindURL
	kindText   // implements encoding.TextUnmarshaler
	kindSecret // only as a field's own type
	kindSlice  // items split at the field's separator
	kindMap    // items split at the separator, then at the key-value separator
	kindPtr    // a pointer to a scalar, allocated when the variable is set
	kindJSON   // the json option: encoding/json into the field's type
	kindLive   // a Live field, resolved at first use (live.go)
	// kindSecretStruct is a struct filled from a JSON secret, such as an
	// RDS secret (secretstruct.go).
	kindSecretStruct
)

// parser describes how to parse text into a value of type typ.
type parser struct {
	kind kind
	bits int // for kindInt, kindUint, kindFloat
	typ  reflect.Type
	elem *parser // kindSlice: item; kindMap: value; kindPtr: target
	key  *parser // kindMap: key
}

// field is the plan for one tagged leaf field.
type field struct {
	index    []int
	path     string // Go field path, such as "DB.Password"
	name     string // variable name, prefix included
	kind     kind   // p.kind
	p        *parser
	typ      string
	rtype    reflect.Type
	required bool
	kms      bool // value is a base64 KMS ciphertext
	sm       bool // value is a Secrets Manager reference
	ssm      bool // value is an SSM parameter name
	sel      versionSel
	def      string
	hasDef   bool
	sep      string // between items of a slice or map
	kvSep    string // between a map item's key and value
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
	liveType     = reflect.TypeFor[Live]()
	urlType      = reflect.TypeFor[url.URL]()
	durationType = reflect.TypeFor[time.Duration]()
	textType     = reflect.TypeFor[encoding.TextUnmarshaler]()
)

func buildPlan(t reflect.Type) *plan {
	p := &plan{}
	var errs []error
	walk(t, nil, "", "", p, &errs)
	p.err = errors.Join(errs...)
	return p
}

// Struct tag keys, as caarlos0/env names them.
const (
	tagEnv        = "env"
	tagDefault    = "envDefault"
	tagPrefix     = "envPrefix"
	tagSeparator  = "envSeparator"
	tagKVSep      = "envKeyValSeparator"
	tagStage      = "envVersionStage"
	tagVersionID  = "envVersionID"
	defaultSep    = ","
	defaultKVSep  = ":"
	legacyDefault = "default"
	legacyPrefix  = "prefix"
)

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
		envTag, hasEnv := sf.Tag.Lookup(tagEnv)
		prefix, hasPrefix := sf.Tag.Lookup(tagPrefix)
		def, hasDefault := sf.Tag.Lookup(tagDefault)
		sep, hasSep := sf.Tag.Lookup(tagSeparator)
		kvSep, hasKVSep := sf.Tag.Lookup(tagKVSep)
		stage, hasStage := sf.Tag.Lookup(tagStage)
		versionID, hasVersionID := sf.Tag.Lookup(tagVersionID)
		setup := func(format string, args ...any) {
			*errs = append(*errs, &FieldError{Field: path, Err: fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...)})
		}
		if envTag == "-" {
			continue
		}
		// The tag names of earlier versions would now be ignored: refuse
		// them rather than load without the default or prefix they meant.
		if _, ok := sf.Tag.Lookup(legacyDefault); ok && (hasEnv || hasPrefix) {
			setup("the default tag is spelled envDefault")
			continue
		}
		if _, ok := sf.Tag.Lookup(legacyPrefix); ok && isNested(sf.Type) {
			setup("the prefix tag is spelled envPrefix")
			continue
		}
		anyTag := hasEnv || hasPrefix || hasDefault || hasSep || hasKVSep || hasStage || hasVersionID
		nested := isNested(sf.Type)
		if !sf.IsExported() && !(sf.Anonymous && nested) {
			if anyTag {
				setup("unexported field has a tag")
			}
			continue
		}
		if nested && !hasEnv {
			if hasDefault || hasSep || hasKVSep || hasStage || hasVersionID {
				setup("struct field takes an envPrefix tag, not envDefault or a separator")
				continue
			}
			if hasPrefix && !validPrefix(prefix) {
				setup("envPrefix must hold only letters, digits and underscores")
				continue
			}
			walk(sf.Type, index, path, vp+prefix, p, errs)
			continue
		}
		if hasPrefix {
			setup("envPrefix applies only to struct fields")
			continue
		}
		if !hasEnv {
			if hasDefault || hasSep || hasKVSep || hasStage || hasVersionID {
				setup("envDefault, a separator or a version tag without env")
			}
			continue
		}
		tag, err := parseEnvTag(envTag)
		if err != nil {
			*errs = append(*errs, &FieldError{Field: path, Err: err})
			continue
		}
		if err := checkVersionTag(stage, versionID, hasStage, hasVersionID); err != nil {
			*errs = append(*errs, &FieldError{Field: path, Err: err})
			continue
		}
		if (hasStage || hasVersionID) && !tag.sm {
			setup("envVersionStage and envVersionID apply only to secretsmanager fields")
			continue
		}
		f := field{index: index, path: path, name: vp + tag.name, required: tag.required, kms: tag.kms, sm: tag.sm, ssm: tag.ssm,
			sel: versionSel{id: versionID, stage: stage},
			typ: sf.Type.String(), rtype: sf.Type, def: def, hasDef: hasDefault, sep: defaultSep, kvSep: defaultKVSep}
		if hasSep {
			f.sep = sep
		}
		if hasKVSep {
			f.kvSep = kvSep
		}
		switch {
		case tag.json:
			f.p, err = jsonParser(sf.Type)
		case tag.sm && nested:
			f.p, err = secretStructParser(sf.Type)
		default:
			f.p, err = parserFor(sf.Type)
		}
		if err != nil {
			*errs = append(*errs, &FieldError{Field: path, Var: f.name, Err: err})
			continue
		}
		f.kind = f.p.kind
		if err := checkField(&f, hasSep, hasKVSep); err != nil {
			*errs = append(*errs, &FieldError{Field: path, Var: f.name, Err: err})
			continue
		}
		p.fields = append(p.fields, f)
	}
}

// checkField checks the rules that tie a field's type, options, default and
// separators together.
func checkField(f *field, hasSep, hasKVSep bool) error {
	setup := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...)
	}
	switch {
	case f.kind == kindLive && !f.kms && !f.sm && !f.ssm:
		return setup("a Live field needs the kms, secretsmanager or ssm option")
	case f.kind == kindLive && f.hasDef && f.kms:
		return setup("a kms field cannot have an envDefault: secrets must not be hardcoded")
	case f.kind == kindSecretStruct && !f.sm:
		return setup("a struct read from one variable takes the secretsmanager or json option")
	case (f.kms || f.sm) && f.kind != kindSecret && f.kind != kindLive && f.kind != kindSecretStruct:
		return setup("a kms or secretsmanager field must be of type secenv.Secret or secenv.Live (or, for secretsmanager, a struct), not %s, so that the value cannot be printed", f.typ)
	case f.ssm && (f.kind == kindJSON || f.kind == kindSecretStruct):
		return setup("an ssm field takes a Secret, a Live or a scalar")
	case f.required && f.hasDef:
		return setup("a field cannot be both required and have an envDefault")
	case f.kind == kindSecret && f.hasDef && !f.sm && !f.ssm:
		return setup("a Secret field other than a secretsmanager or ssm reference cannot have an envDefault: secrets must not be hardcoded")
	case hasSep && f.kind != kindSlice && f.kind != kindMap:
		return setup("envSeparator applies only to slices and maps")
	case hasKVSep && f.kind != kindMap:
		return setup("envKeyValSeparator applies only to maps")
	case f.sep == "" || f.kvSep == "":
		return setup("a separator is empty")
	case f.kind == kindMap && f.sep == f.kvSep:
		return setup("envSeparator and envKeyValSeparator are the same")
	case f.hasDef:
		return checkDefault(f)
	}
	return nil
}

// checkDefault parses f's default once, so that a bad default is a setup
// error reported whether or not the variable is set.
func checkDefault(f *field) error {
	if f.ssm {
		if strings.TrimSpace(f.def) == "" {
			return fmt.Errorf("%w: envDefault is not a parameter name", ErrConfig)
		}
		return nil
	}
	if f.kind == kindSecret || f.kind == kindLive || f.kind == kindSecretStruct {
		if _, _, err := parseSecretRef(f.def); err != nil {
			return fmt.Errorf("%w: envDefault is not a valid Secrets Manager reference", ErrConfig)
		}
		return nil
	}
	if err := setValue(reflect.New(f.rtype).Elem(), f, f.def); err != nil {
		return fmt.Errorf("%w: envDefault does not parse as %s", ErrConfig, f.typ)
	}
	return nil
}

// isNested reports whether t is a struct that Load recurses into rather than
// a leaf value.
func isNested(t reflect.Type) bool {
	if t.Kind() != reflect.Struct || t == secretType || t == urlType || t == liveType {
		return false
	}
	return !reflect.PointerTo(t).Implements(textType)
}

// parserFor returns the parser of a field of type t: a scalar, a Secret, a
// slice or map of scalars, or a pointer to a scalar.
func parserFor(t reflect.Type) (*parser, error) {
	if t == secretType {
		return &parser{kind: kindSecret, typ: t}, nil
	}
	if t == liveType {
		return &parser{kind: kindLive, typ: t}, nil
	}
	if p, ok := scalarParser(t); ok {
		return p, nil
	}
	unsupported := func(why string) (*parser, error) {
		return nil, fmt.Errorf("%w: unsupported field type %s%s", ErrConfig, t, why)
	}
	switch t.Kind() {
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return unsupported(" (bytes: use string, or Secret for sensitive bytes)")
		}
		if e, ok := scalarParser(t.Elem()); ok {
			return &parser{kind: kindSlice, typ: t, elem: e}, nil
		}
		return unsupported(" (slice items must be scalars)")
	case reflect.Map:
		k, kok := scalarParser(t.Key())
		v, vok := scalarParser(t.Elem())
		if kok && vok {
			return &parser{kind: kindMap, typ: t, key: k, elem: v}, nil
		}
		return unsupported(" (map keys and values must be scalars)")
	case reflect.Pointer:
		if t.Elem() == secretType {
			return unsupported(" (use Secret: IsSet reports whether it was set)")
		}
		if e, ok := scalarParser(t.Elem()); ok {
			return &parser{kind: kindPtr, typ: t, elem: e}, nil
		}
		return unsupported(" (a pointer must be to a scalar)")
	case reflect.Struct:
		return unsupported(" (a struct takes envPrefix, or env with the json option)")
	}
	return unsupported("")
}

// scalarParser returns the parser of a scalar type: string, bool, the int,
// uint and float kinds, time.Duration, url.URL and text unmarshalers.
func scalarParser(t reflect.Type) (*parser, bool) {
	switch t {
	case secretType, liveType:
		return nil, false
	case durationType:
		return &parser{kind: kindDuration, typ: t}, true
	case urlType:
		return &parser{kind: kindURL, typ: t}, true
	}
	if reflect.PointerTo(t).Implements(textType) {
		return &parser{kind: kindText, typ: t}, true
	}
	switch t.Kind() {
	case reflect.String:
		return &parser{kind: kindString, typ: t}, true
	case reflect.Bool:
		return &parser{kind: kindBool, typ: t}, true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &parser{kind: kindInt, bits: t.Bits(), typ: t}, true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return &parser{kind: kindUint, bits: t.Bits(), typ: t}, true
	case reflect.Float32, reflect.Float64:
		return &parser{kind: kindFloat, bits: t.Bits(), typ: t}, true
	}
	return nil, false
}

// jsonParser returns the parser of a field with the json option.
func jsonParser(t reflect.Type) (*parser, error) {
	if t == secretType || t == liveType {
		return nil, fmt.Errorf("%w: the json option does not apply to a Secret or a Live, which take the value as it is", ErrConfig)
	}
	switch t.Kind() {
	case reflect.Func, reflect.Chan, reflect.UnsafePointer, reflect.Complex64, reflect.Complex128:
		return nil, fmt.Errorf("%w: type %s cannot be decoded from JSON", ErrConfig, t)
	}
	return &parser{kind: kindJSON, typ: t}, nil
}

// envTag is a parsed env:"NAME,opt,..." tag.
type envTag struct {
	name     string
	required bool
	kms      bool
	sm       bool
	ssm      bool
	json     bool
}

// parseEnvTag parses the value of an env tag. Its errors wrap [ErrConfig].
func parseEnvTag(s string) (envTag, error) {
	name, rest, _ := strings.Cut(s, ",")
	t := envTag{name: name}
	if !validName(name) {
		return t, fmt.Errorf("%w: env tag needs a variable name of letters, digits and underscores, not starting with a digit", ErrConfig)
	}
	for rest != "" {
		var opt string
		opt, rest, _ = strings.Cut(rest, ",")
		switch strings.TrimSpace(opt) {
		case "required":
			t.required = true
		case "kms":
			t.kms = true
		case "secretsmanager":
			t.sm = true
		case "json":
			t.json = true
		case "ssm":
			t.ssm = true
		default:
			return t, fmt.Errorf("%w: unknown env tag option (want required, kms, secretsmanager, ssm or json)", ErrConfig)
		}
	}
	if (t.kms && t.sm) || (t.kms && t.ssm) || (t.sm && t.ssm) {
		return t, fmt.Errorf("%w: env tag takes one of kms, secretsmanager and ssm", ErrConfig)
	}
	if t.json && (t.kms || t.sm || t.ssm) {
		return t, fmt.Errorf("%w: the json option does not combine with kms, secretsmanager or ssm (a struct field with secretsmanager is read from a JSON secret)", ErrConfig)
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
