// Command pki writes the certificates of a pods sandbox: a CA, the API server's serving
// certificate, client certificates for each component (the identities the Node and RBAC
// authorizers expect), and the service-account key pair. Everything goes into --dir as PEM.
//
//	pki --dir DIR --node vdocs-node --ip 127.0.0.1,192.168.35.2,10.96.0.1
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"log"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

type client struct {
	file, cn string
	orgs     []string
}

func main() {
	dir := flag.String("dir", "", "output folder")
	node := flag.String("node", "vdocs-node", "node name (kubelet identity system:node:NAME)")
	ips := flag.String("ip", "127.0.0.1", "API server IP SANs, comma separated")
	flag.Parse()
	if *dir == "" {
		log.Fatal("--dir is required")
	}
	must(os.MkdirAll(*dir, 0o700))
	notAfter := time.Now().Add(365 * 24 * time.Hour)
	caKey := newKey()
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "vdocs-pods-ca"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	must(err)
	ca, err := x509.ParseCertificate(caDER)
	must(err)
	writeCert(*dir, "ca", caDER, caKey)

	server := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "kube-apiserver"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"},
	}
	for _, ip := range strings.Split(*ips, ",") {
		server.IPAddresses = append(server.IPAddresses, net.ParseIP(strings.TrimSpace(ip)))
	}
	issue(*dir, "apiserver", server, ca, caKey)

	for _, c := range []client{
		{"admin", "vdocs-admin", []string{"system:masters"}},
		{"kubelet", "system:node:" + *node, []string{"system:nodes"}},
		{"kube-proxy", "system:kube-proxy", nil},
		{"controller-manager", "system:kube-controller-manager", nil},
		{"scheduler", "system:kube-scheduler", nil},
		{"apiserver-kubelet-client", "kube-apiserver-kubelet-client", []string{"system:masters"}},
	} {
		issue(*dir, c.file, &x509.Certificate{
			SerialNumber: serial(),
			Subject:      pkix.Name{CommonName: c.cn, Organization: c.orgs},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     notAfter,
			KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}, ca, caKey)
	}

	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	saPriv, err := x509.MarshalPKCS8PrivateKey(saKey)
	must(err)
	saPub, err := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	must(err)
	writePEM(filepath.Join(*dir, "sa.key"), "PRIVATE KEY", saPriv)
	writePEM(filepath.Join(*dir, "sa.pub"), "PUBLIC KEY", saPub)
}

func newKey() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(err)
	return k
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	must(err)
	return n
}

func issue(dir, name string, tmpl, ca *x509.Certificate, caKey *ecdsa.PrivateKey) {
	key := newKey()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	must(err)
	writeCert(dir, name, der, key)
}

func writeCert(dir, name string, der []byte, key *ecdsa.PrivateKey) {
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	must(err)
	writePEM(filepath.Join(dir, name+".crt"), "CERTIFICATE", der)
	writePEM(filepath.Join(dir, name+".key"), "PRIVATE KEY", keyDER)
}

func writePEM(file, kind string, der []byte) {
	must(os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600))
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
