package secenv

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
)

// Load fills the struct that dst points to from environment variables, as
// its struct tags describe. The grammar is caarlos0/env's:
//
//	env:"NAME"                    the variable NAME, parsed as the field's type
//	env:"NAME,required"           an error (ErrMissing, ErrEmpty) when unset or empty
//	env:"NAME,kms"                a base64 KMS ciphertext, decrypted into a Secret
//	env:"NAME,secretsmanager"     a Secrets Manager secret ID or ARN, read into a Secret;
//	                              the value "ID#key" picks one key of a JSON secret
//	env:"NAME,ssm"                an SSM Parameter Store name; a SecureString loads only into
//	                              a Secret or Live, a String also into a scalar
//	envVersionStage:"AWSPREVIOUS" with secretsmanager: the version with this staging label
//	envVersionID:"ID"             with secretsmanager: the version with this ID
//	env:"NAME,json"               one JSON value, decoded into the field's type
//	envDefault:"VALUE"            used when the variable is unset or empty
//	envPrefix:"DB_"               on a struct field: its fields read DB_NAME...
//	envSeparator:";"              between the items of a slice or map (default ",")
//	envKeyValSeparator:"="        between a map item's key and value (default ":")
//	env:"-"                       ignored
//
// Options combine: env:"NAME,kms,required". Unlike caarlos0/env, a variable
// set to the empty string counts as unset (so envDefault applies and
// required fails with [ErrEmpty]), list items are trimmed and empty items
// dropped, and an unknown option, a tag of an earlier version (default,
// prefix) or an option on a field it cannot apply to is an [ErrConfig]
// error rather than ignored.
//
// Field types:
//   - scalars: string, bool, every int, uint and float kind, time.Duration,
//     url.URL, and any type whose pointer implements encoding.TextUnmarshaler
//     (such as time.Time, RFC 3339, or netip.Addr);
//   - slices of scalars: "a, b,c" (items trimmed, empty items dropped);
//   - maps of scalars to scalars: "k1:v1,k2:v2" (keys and values trimmed; an
//     item without the separator, an empty key or a repeated key is an
//     error);
//   - pointers to scalars, such as *int or *url.URL, for optional values:
//     nil while the variable is unset or empty, and a new value when it is
//     set;
//   - with the json option, any type encoding/json decodes, such as a struct,
//     a map of slices or a pointer to a struct. The value must be exactly one
//     JSON value, and object keys the type does not have are an error. JSON
//     is an option rather than a rule of the type because a struct field
//     without it is nested configuration read from its own variables, and a
//     map or slice without it has the list form above. The decoded value is
//     ordinary data that prints: keep secrets in Secret fields;
//   - [Secret]: a plain Secret field takes the variable's value as it is;
//   - [Live], with kms, secretsmanager or ssm: bound by Load, fetched at
//     first use and refreshed through the cache (see Live);
//   - a struct with secretsmanager, such as [RDSSecret]: filled from one
//     JSON secret, its Secret fields registered like the others;
//   - nested structs, recursed into, with an optional envPrefix.
//
// A kms or secretsmanager field must be a Secret or a Live (or, for
// secretsmanager, a struct filled from a JSON secret), an ssm field a
// Secret, a Live or a scalar, and none of them can have an envDefault
// other than a secret reference or parameter name; breaking these rules is
// an [ErrConfig] error, as is a malformed tag, []byte, or a slice, map or
// pointer of anything else. Fields without an env tag are left alone; an
// optional variable that is unset or empty leaves its field as it was.
// Errors in a list, map or JSON value name the item by position or the byte
// offset, never an item, a key or a value.
//
// All KMS decrypts and Secrets Manager reads run concurrently, at most
// [DefaultConcurrency] at once ([WithConcurrency]), so N encrypted variables
// cost about one round trip. kms and secretsmanager fields need clients:
// pass secenvaws.Default() (package secenv/secenvaws, which links the AWS
// SDK; secenv alone does not), or the field is an [ErrConfig] error naming
// the variable and the option to pass.
//
// Load reports every problem at once, joined with errors.Join: each is a
// [*FieldError] naming the field and the variable, wrapping sentinels such
// as [ErrMissing], [ErrInvalid], [ErrDecrypt] or [ErrSecretNotFound]. No
// error contains a value, plaintext or ciphertext. On error, *dst is left
// unchanged; on success it is replaced in one assignment.
//
// Before Load returns, every secret value it obtained (kms, secretsmanager and plain
// Secret fields, whether or not Load then fails) is registered with the
// redact registry ([WithRegistry]), along with the encodings it is likely to
// leak in (see [Secret]) and the ciphertext it came from. Values shorter
// than redact.MinSecretLen bytes cannot be registered; Load logs a warning
// naming their variables ([WithLogger]).
//
// Load is safe for concurrent use and may be called from init or from a
// handler. The tags of each struct type are parsed once and cached.
func Load(ctx context.Context, dst any, opts ...Option) error {
	rv := reflect.ValueOf(dst)
	if !rv.IsValid() || rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("%w: dst must be a non-nil pointer to a struct, not %T", ErrConfig, dst)
	}
	t := rv.Elem().Type()
	p := planFor(t)
	if p.err != nil {
		return p.err
	}
	o := newOptions(opts)
	if err := o.check(); err != nil {
		return err
	}
	out := reflect.New(t).Elem()
	out.Set(rv.Elem())

	errs := make([]error, len(p.fields))
	var reg collector
	var jobs []job
	for i := range p.fields {
		f := &p.fields[i]
		if err := o.missingClient(f); err != nil {
			errs[i] = &FieldError{Field: f.path, Var: f.name, Err: err}
			continue
		}
		raw, set := o.lookup(f.name)
		if raw == "" {
			switch {
			case f.hasDef:
				raw = f.def
			case f.required && set:
				errs[i] = &FieldError{Field: f.path, Var: f.name, Err: ErrEmpty}
				continue
			case f.required:
				errs[i] = &FieldError{Field: f.path, Var: f.name, Err: ErrMissing}
				continue
			default:
				continue
			}
		}
		if f.kind == kindLive {
			l, err := o.bindLive(f, raw)
			if err != nil {
				errs[i] = &FieldError{Field: f.path, Var: f.name, Err: err}
				continue
			}
			out.FieldByIndex(f.index).Set(reflect.ValueOf(l))
			continue
		}
		if f.kms || f.sm || f.ssm {
			jobs = append(jobs, job{i: i, raw: raw})
			continue
		}
		if err := setValue(out.FieldByIndex(f.index), f, raw); err != nil {
			errs[i] = &FieldError{Field: f.path, Var: f.name, Err: err}
			continue
		}
		if f.kind == kindSecret {
			reg.add(f, raw)
		}
	}
	if len(jobs) > 0 {
		o.run(ctx, p, jobs, errs, out, &reg)
	}
	reg.flush(ctx, o)
	if err := errors.Join(errs...); err != nil {
		return err
	}
	rv.Elem().Set(out)
	return nil
}

// missingClient returns an ErrConfig error when f is a kms or
// secretsmanager field and no client can resolve it.
func (o *options) missingClient(f *field) error {
	switch {
	case f.kms && o.kms == nil:
		return fmt.Errorf("%w: %w", ErrConfig, errNoKMS)
	case f.sm && o.sm == nil && o.ext == nil:
		return fmt.Errorf("%w: %w", ErrConfig, errNoSM)
	case f.ssm && o.x.ssm == nil && o.ext == nil:
		return fmt.Errorf("%w: %w", ErrConfig, errNoSSM)
	}
	return nil
}

// job is one kms or secretsmanager field to resolve.
type job struct {
	i    int           // index into plan.fields
	raw  string        // the variable's value: a ciphertext or a secret reference
	val  string        // the result
	setv reflect.Value // the result, when it is not a Secret of val
}

// run resolves every job concurrently, at most o.limit at a time, and
// stores each result in out or each failure in errs.
func (o *options) run(ctx context.Context, p *plan, jobs []job, errs []error, out reflect.Value, reg *collector) {
	secrets := &secretMemo{}
	resolve := func(j *job) {
		f := &p.fields[j.i]
		var err error
		switch {
		case f.kms:
			err = o.resolveKMS(ctx, f, j, reg)
		case f.ssm:
			err = o.resolveParam(ctx, f, j, reg)
		default:
			err = o.resolveSecret(ctx, secrets, f, j, reg)
		}
		if err != nil {
			errs[j.i] = &FieldError{Field: f.path, Var: f.name, Err: err}
		}
	}
	if len(jobs) == 1 {
		// One call: no goroutine to start, nothing to bound.
		resolve(&jobs[0])
	} else {
		sem := make(chan struct{}, o.limit)
		var wg sync.WaitGroup
		for k := range jobs {
			j := &jobs[k]
			wg.Add(1)
			go func() {
				defer wg.Done()
				select {
				case sem <- struct{}{}:
				case <-ctx.Done():
					f := &p.fields[j.i]
					category := ErrDecrypt
					if f.sm {
						category = ErrSecretsManager
					} else if f.ssm {
						category = ErrSSM
					}
					errs[j.i] = &FieldError{Field: f.path, Var: f.name, Err: transportError(ctx.Err(), category)}
					return
				}
				defer func() { <-sem }()
				resolve(j)
			}()
		}
		wg.Wait()
	}
	for k := range jobs {
		j := &jobs[k]
		switch {
		case errs[j.i] != nil:
		case j.setv.IsValid():
			out.FieldByIndex(p.fields[j.i].index).Set(j.setv)
		default:
			out.FieldByIndex(p.fields[j.i].index).Set(reflect.ValueOf(NewSecret(j.val)))
		}
	}
}

func (o *options) resolveKMS(ctx context.Context, f *field, j *job, reg *collector) error {
	v, err := o.decrypt(ctx, o.kms, j.raw)
	if err != nil {
		return err
	}
	j.val = v
	reg.add(f, v, j.raw)
	return nil
}

func (o *options) resolveSecret(ctx context.Context, memo *secretMemo, f *field, j *job, reg *collector) error {
	id, key, err := parseSecretRef(j.raw)
	if err != nil {
		return err
	}
	// Fields that name keys of one secret share one read per Load,
	// whether or not a cache is in use.
	p, err := memo.get(f.sel.cacheID(id), func() (secretPayload, error) { return o.readSecret(ctx, id, f.sel) })
	if err != nil {
		return err
	}
	whole := p.raw()
	v, err := p.pick(key)
	if err != nil {
		// The whole secret is still secret material: register it.
		reg.add(f, whole)
		return err
	}
	j.val = v
	if key != "" && whole != v {
		reg.add(f, whole)
	}
	if f.kind == kindSecretStruct {
		sv, err := decodeSecretStruct(f, v, reg)
		if err != nil {
			return err
		}
		j.setv = sv
		return nil
	}
	reg.add(f, v)
	return nil
}

// secretMemo makes the fields of one Load that name the same secret share
// one read of it.
type secretMemo struct {
	mu    sync.Mutex
	reads map[string]func() (secretPayload, error)
}

func (m *secretMemo) get(id string, read func() (secretPayload, error)) (secretPayload, error) {
	m.mu.Lock()
	if m.reads == nil {
		m.reads = map[string]func() (secretPayload, error){}
	}
	r, ok := m.reads[id]
	if !ok {
		r = sync.OnceValues(read)
		m.reads[id] = r
	}
	m.mu.Unlock()
	return r()
}

// readSecret returns the payload of secret id: from the cache when it is
// fresh, otherwise from the extension or the client.
func (o *options) readSecret(ctx context.Context, id string, sel versionSel) (secretPayload, error) {
	var src any = o.sm
	var base, token string
	if o.ext != nil {
		base = o.ext.endpoint(o.lookup)
		token, _ = o.lookup("AWS_SESSION_TOKEN")
		src = base
	}
	ck, p, ok := o.cache.lookup(src, sel.cacheID(id), o.ttl, o.now)
	if ok {
		return p, nil
	}
	// The fetch function is built only on a miss: a cache hit does not
	// allocate it.
	var fetch func(context.Context) (secretPayload, error)
	if o.ext != nil {
		fetch = func(ctx context.Context) (secretPayload, error) {
			p, err := getSecretExtension(ctx, o.ext.HTTPClient, base, token, id, sel)
			if err != nil && errors.Is(err, errExtensionDown) && !o.ext.NoFallback && o.sm != nil {
				return getSecretVersion(ctx, o.sm, id, sel)
			}
			return p, err
		}
	} else {
		fetch = func(ctx context.Context) (secretPayload, error) { return getSecretVersion(ctx, o.sm, id, sel) }
	}
	return o.cache.fill(ctx, ck, o.ttl, o.now, fetch)
}
