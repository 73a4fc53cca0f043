package authorizertest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash"
	"math/big"
)

// Key is a signing key of an [Issuer]: an RSA or ECDSA private key with its
// kid and JWS algorithm. A Key is immutable once made; [Key.With] returns a
// changed copy.
type Key struct {
	// ID is the key's kid.
	ID string
	// Alg is the JWS algorithm the key signs with: RS256, RS384, RS512,
	// PS256, PS384, PS512, ES256, ES384 or ES512.
	Alg string
	// Use is the JWK use published for the key; NewRSAKey and NewECKey set
	// "sig".
	Use string
	// Signer is the private key.
	Signer crypto.Signer
	// PublishAlg, when false, leaves alg out of the published JWK.
	PublishAlg bool
}

// NewRSAKey generates an RSA key of the given size (2048 if bits is 0) that
// signs with RS256.
func NewRSAKey(kid string, bits int) (*Key, error) {
	if bits == 0 {
		bits = 2048
	}
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, fmt.Errorf("authorizertest: rsa key: %w", err)
	}
	return &Key{ID: kid, Alg: "RS256", Use: "sig", Signer: k, PublishAlg: true}, nil
}

// NewECKey generates an ECDSA key on curve (P-256, P-384 or P-521) that
// signs with ES256, ES384 or ES512 to match.
func NewECKey(kid string, curve elliptic.Curve) (*Key, error) {
	alg := map[string]string{"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}[curve.Params().Name]
	if alg == "" {
		return nil, fmt.Errorf("authorizertest: unsupported curve %s", curve.Params().Name)
	}
	k, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("authorizertest: ecdsa key: %w", err)
	}
	return &Key{ID: kid, Alg: alg, Use: "sig", Signer: k, PublishAlg: true}, nil
}

// With returns a copy of k that signs and publishes with alg and use.
func (k *Key) With(alg, use string) *Key {
	c := *k
	c.Alg, c.Use = alg, use
	return &c
}

// JWK returns the public JWK of k as published in a JWKS.
func (k *Key) JWK() map[string]any {
	m := map[string]any{"kid": k.ID}
	if k.Use != "" {
		m["use"] = k.Use
	}
	if k.PublishAlg && k.Alg != "" {
		m["alg"] = k.Alg
	}
	enc := base64.RawURLEncoding.EncodeToString
	switch pub := k.Signer.Public().(type) {
	case *rsa.PublicKey:
		m["kty"] = "RSA"
		m["n"] = enc(pub.N.Bytes())
		m["e"] = enc(big.NewInt(int64(pub.E)).Bytes())
	case *ecdsa.PublicKey:
		size := (pub.Curve.Params().BitSize + 7) / 8
		m["kty"] = "EC"
		m["crv"] = pub.Curve.Params().Name
		m["x"] = enc(pub.X.FillBytes(make([]byte, size)))
		m["y"] = enc(pub.Y.FillBytes(make([]byte, size)))
	}
	return m
}

// Public returns the public key.
func (k *Key) Public() crypto.PublicKey { return k.Signer.Public() }

// Sign signs claims with k under a header of alg, kid and typ JWT, plus any
// fields of extraHeader, which may override those three, or delete one when
// set to nil. It returns the compact JWS.
func (k *Key) Sign(claims map[string]any, extraHeader map[string]any) (string, error) {
	h := map[string]any{"alg": k.Alg, "kid": k.ID, "typ": "JWT"}
	for name, v := range extraHeader {
		if v == nil {
			delete(h, name)
			continue
		}
		h[name] = v
	}
	hb, err := json.Marshal(h)
	if err != nil {
		return "", fmt.Errorf("authorizertest: header: %w", err)
	}
	cb, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("authorizertest: claims: %w", err)
	}
	return k.SignRaw(hb, cb)
}

// SignRaw signs arbitrary header and payload bytes with k's private key
// under k.Alg, whatever alg the header names, and returns the compact JWS.
// It builds tokens with malformed JSON or odd headers that still carry a
// valid signature.
func (k *Key) SignRaw(header, payload []byte) (string, error) {
	enc := base64.RawURLEncoding.EncodeToString
	signing := enc(header) + "." + enc(payload)
	sig, err := k.sign([]byte(signing))
	if err != nil {
		return "", fmt.Errorf("authorizertest: sign: %w", err)
	}
	return signing + "." + enc(sig), nil
}

func (k *Key) sign(msg []byte) ([]byte, error) {
	if len(k.Alg) != 5 {
		return nil, fmt.Errorf("unsupported alg %q", k.Alg)
	}
	var h hash.Hash
	var ch crypto.Hash
	switch k.Alg[2:] {
	case "256":
		h, ch = sha256.New(), crypto.SHA256
	case "384":
		h, ch = sha512.New384(), crypto.SHA384
	case "512":
		h, ch = sha512.New(), crypto.SHA512
	default:
		return nil, fmt.Errorf("unsupported alg %q", k.Alg)
	}
	h.Write(msg)
	digest := h.Sum(nil)
	switch priv := k.Signer.(type) {
	case *rsa.PrivateKey:
		switch k.Alg[:2] {
		case "PS":
			return rsa.SignPSS(rand.Reader, priv, ch, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		case "RS":
			return rsa.SignPKCS1v15(rand.Reader, priv, ch, digest)
		}
	case *ecdsa.PrivateKey:
		if k.Alg[:2] != "ES" {
			break
		}
		r, s, err := ecdsa.Sign(rand.Reader, priv, digest)
		if err != nil {
			return nil, err
		}
		size := (priv.Curve.Params().BitSize + 7) / 8
		out := make([]byte, 2*size)
		r.FillBytes(out[:size])
		s.FillBytes(out[size:])
		return out, nil
	}
	return nil, fmt.Errorf("alg %q with key type %T", k.Alg, k.Signer)
}
