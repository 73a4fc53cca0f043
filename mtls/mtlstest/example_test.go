package mtlstest_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/seclambda/seclambda/mtls"
	"github.com/seclambda/seclambda/mtls/mtlstest"
)

// A root, an intermediate, two client certificates (one revoked) and the
// events API Gateway and an ALB send with them, checked by an mtls
// validator whose clock is the PKI's reference time.
func Example() {
	at := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	root, _ := mtlstest.NewCA(nil, at, mtlstest.CAOptions{CommonName: "test root"})
	ca, _ := mtlstest.NewCA(root, at, mtlstest.CAOptions{CommonName: "test devices"})
	good, _ := mtlstest.NewLeaf(ca, at, mtlstest.LeafOptions{
		CommonName: "device-1", Organization: []string{"Acme"}, URIs: []string{"spiffe://example.org/device/1"},
	})
	lost, _ := mtlstest.NewLeaf(ca, at, mtlstest.LeafOptions{CommonName: "device-2"})

	// Every CA of the trust store needs a current CRL; the intermediate's
	// lists the lost device.
	from, until := at.Add(-time.Hour), at.Add(24*time.Hour)
	rootCRL, _ := mtlstest.NewCRL(root, from, until, at)
	caCRL, _ := mtlstest.NewCRL(ca, from, until, at.Add(-time.Minute), lost)

	v, err := mtls.NewValidator(mtls.Config{
		TrustStore: mtlstest.Bundle(root, ca),
		CRLs:       [][]byte{rootCRL.PEM, caCRL.PEM},
		AllowAny:   true,
		Clock:      func() time.Time { return at },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	id, err := v.FromREST(mtlstest.NewREST(good))
	fmt.Println(id.CommonName, id.URIs, err)
	id, err = v.FromHTTPAPI(mtlstest.NewHTTPAPI(good))
	fmt.Println(id.CommonName, err)
	id, err = v.FromALB(mtlstest.NewALB(good, ca))
	fmt.Println(id.CommonName, err)

	_, err = v.FromRESTRequest(mtlstest.NewRESTRequest(lost))
	fmt.Println(errors.Is(err, mtls.ErrRevoked))
	_, err = v.FromHTTPAPIRequest(mtlstest.NewHTTPAPIRequest(nil))
	fmt.Println(errors.Is(err, mtls.ErrNoClientCert))
	// Output:
	// device-1 [spiffe://example.org/device/1] <nil>
	// device-1 <nil>
	// device-1 <nil>
	// true
	// true
}
