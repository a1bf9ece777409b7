// Command node-cni is the pod network of the project's offline kind node image: kind applies the
// image's /kind/manifests/default-cni.yaml, a DaemonSet (hostNetwork) running this command on
// every node. It reads its node's pod ranges (spec.podCIDRs) from the API server with the pod's
// ServiceAccount token and writes a CNI configuration for the bridge, host-local and portmap
// plugins (Debian's containernetworking-plugins in the node) to /etc/cni/net.d, which makes the
// node Ready. Pods on one node reach each other and the node over the bridge; routes to other
// nodes' ranges are not set up (the project's sandbox is one node).
//
//	NODE_NAME=vdocs-control-plane CNI_CONF_DIR=/etc/cni/net.d node-cni
package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

const saDir = "/var/run/secrets/kubernetes.io/serviceaccount"

func main() {
	node := os.Getenv("NODE_NAME")
	if node == "" {
		log.Fatal("NODE_NAME is required (fieldRef spec.nodeName)")
	}
	confDir := envOr("CNI_CONF_DIR", "/etc/cni/net.d")
	// kind adds CONTROL_PLANE_ENDPOINT (host:port) so the pod network does not wait for kube-proxy.
	endpoint := os.Getenv("CONTROL_PLANE_ENDPOINT")
	if endpoint == "" {
		endpoint = net.JoinHostPort(os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT"))
	}
	client, token := apiClient()
	written := ""
	for {
		cidrs, err := podCIDRs(client, token, endpoint, node)
		switch {
		case err != nil:
			log.Printf("reading node %s: %v", node, err)
		case len(cidrs) == 0:
			log.Printf("node %s has no spec.podCIDRs yet", node)
		default:
			conf := conflist(cidrs)
			if conf != written {
				if err := writeAtomic(filepath.Join(confDir, "10-vdocs.conflist"), conf); err != nil {
					log.Fatal(err)
				}
				log.Printf("wrote %s for %s", filepath.Join(confDir, "10-vdocs.conflist"), strings.Join(cidrs, ","))
				written = conf
			}
		}
		if written == "" {
			time.Sleep(time.Second)
		} else {
			time.Sleep(30 * time.Second)
		}
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func apiClient() (*http.Client, string) {
	token, err := os.ReadFile(filepath.Join(saDir, "token"))
	if err != nil {
		log.Fatal(err)
	}
	ca, err := os.ReadFile(filepath.Join(saDir, "ca.crt"))
	if err != nil {
		log.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		log.Fatal("no certificate in ca.crt")
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}, strings.TrimSpace(string(token))
}

func podCIDRs(client *http.Client, token, endpoint, node string) ([]string, error) {
	req, err := http.NewRequest("GET", "https://"+endpoint+"/api/v1/nodes/"+node, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		return nil, fmt.Errorf("HTTP %d", res.StatusCode)
	}
	var n struct {
		Spec struct {
			PodCIDRs []string `json:"podCIDRs"`
		} `json:"spec"`
	}
	if err := json.NewDecoder(res.Body).Decode(&n); err != nil {
		return nil, err
	}
	return n.Spec.PodCIDRs, nil
}

// conflist: a bridge with the node's ranges (host-local), NAT for traffic leaving the pod
// ranges, hairpin for a pod reaching itself through a Service, and hostPort mappings.
func conflist(cidrs []string) string {
	ranges := make([][]map[string]string, 0, len(cidrs))
	for _, c := range cidrs {
		ranges = append(ranges, []map[string]string{{"subnet": c}})
	}
	conf := map[string]any{
		"cniVersion": "0.4.0",
		"name":       "vdocs",
		"plugins": []any{
			map[string]any{
				"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
				"ipam": map[string]any{"type": "host-local", "ranges": ranges, "routes": []map[string]string{{"dst": "0.0.0.0/0"}}},
			},
			map[string]any{"type": "portmap", "capabilities": map[string]bool{"portMappings": true}},
		},
	}
	b, _ := json.MarshalIndent(conf, "", "  ")
	return string(b) + "\n"
}

func writeAtomic(file, text string) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}
