package secenv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// RDSSecret is the JSON secret that Amazon RDS, Aurora and Redshift
// store in Secrets Manager for a database user, and that their rotation
// functions maintain. Load fills it from one variable:
//
//	type Config struct {
//		DB secenv.RDSSecret `env:"DB_SECRET_ARN,secretsmanager,required"`
//	}
//	// cfg.DB.Host, cfg.DB.Port, cfg.DB.Username; cfg.DB.Password is a Secret
//
// Any struct whose fields are Secrets or JSON-decodable types, with json
// tags for the keys, can be read the same way. Keys the struct does not
// name are ignored, so that a secret may carry more than one reader needs.
type RDSSecret struct {
	Engine   string `json:"engine"`
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Username string `json:"username"`
	Password Secret `json:"password"`
	DBName   string `json:"dbname"`
	// DBInstanceIdentifier or DBClusterIdentifier name the database, when
	// the secret has them.
	DBInstanceIdentifier string `json:"dbInstanceIdentifier"`
	DBClusterIdentifier  string `json:"dbClusterIdentifier"`
}

// secretStructParser checks that t, a struct, can be filled from a JSON
// secret: exported fields only, each a Secret or a type encoding/json
// decodes.
func secretStructParser(t reflect.Type) (*parser, error) {
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		switch sf.Type.Kind() {
		case reflect.Func, reflect.Chan, reflect.UnsafePointer, reflect.Complex64, reflect.Complex128:
			return nil, fmt.Errorf("%w: field %s of %s cannot be decoded from JSON", ErrConfig, sf.Name, t)
		}
		if sf.Type == liveType {
			return nil, fmt.Errorf("%w: field %s of %s: a Live is a field of the configuration, not of a JSON secret", ErrConfig, sf.Name, t)
		}
	}
	return &parser{kind: kindSecretStruct, typ: t}, nil
}

// jsonName returns the JSON key of a struct field, or "" to skip it.
func jsonName(sf reflect.StructField) string {
	tag := sf.Tag.Get("json")
	if tag == "-" {
		return ""
	}
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		name = sf.Name
	}
	return name
}

// decodeSecretStruct decodes raw, a JSON object, into a new value of f's
// struct type: a Secret field takes the key's string (or, for another JSON
// value, its text) and is registered with reg; other fields are decoded by
// encoding/json. Keys match json tags, then case-insensitively as
// encoding/json does. Errors name the field, never a value or key the
// struct does not have.
func decodeSecretStruct(f *field, raw string, reg *collector) (reflect.Value, error) {
	t := f.rtype
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &obj); err != nil || obj == nil {
		return reflect.Value{}, detail("secret is not a JSON object", ErrSecretKey)
	}
	out := reflect.New(t).Elem()
	for i := range t.NumField() {
		sf := t.Field(i)
		name := jsonName(sf)
		if !sf.IsExported() || name == "" {
			continue
		}
		v, ok := obj[name]
		if !ok {
			for k, kv := range obj {
				if strings.EqualFold(k, name) {
					v, ok = kv, true
					break
				}
			}
		}
		if !ok || string(v) == "null" {
			continue
		}
		if sf.Type == secretType {
			s, err := jsonText(v)
			if err != nil {
				return reflect.Value{}, fmt.Errorf("%w: field %s: value does not parse", ErrInvalid, sf.Name)
			}
			reg.add(f, s)
			out.Field(i).Set(reflect.ValueOf(NewSecret(s)))
			continue
		}
		dst := reflect.New(sf.Type)
		if err := json.Unmarshal(v, dst.Interface()); err != nil {
			// Some secrets hold numbers as strings ("port": "5432").
			var s string
			if !isNumber(sf.Type) || json.Unmarshal(v, &s) != nil || json.Unmarshal([]byte(s), dst.Interface()) != nil {
				return reflect.Value{}, fmt.Errorf("%w: field %s: want JSON for %s", ErrInvalid, sf.Name, sf.Type)
			}
		}
		out.Field(i).Set(dst.Elem())
	}
	return out, nil
}

// jsonText returns a JSON string unquoted, and any other JSON value as its
// compact text, as a #jsonKey reference does.
func jsonText(v json.RawMessage) (string, error) {
	if len(v) > 0 && v[0] == '"' {
		var s string
		err := json.Unmarshal(v, &s)
		return s, err
	}
	var buf bytes.Buffer
	err := json.Compact(&buf, v)
	return buf.String(), err
}

// isNumber reports whether t is an integer or float kind.
func isNumber(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}
