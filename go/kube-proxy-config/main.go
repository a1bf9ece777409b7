// Command kube-proxy-config prints the KubeProxyConfiguration that kubeadm stores in the
// kube-system/kube-proxy ConfigMap (data key config.conf), for the Kubernetes version it is
// built against. It is compiled inside the generated Kubernetes wrapper module, so the set of
// fields (and their zero values) is exactly that version's k8s.io/kube-proxy/config/v1alpha1.
//
// Values mirror what kubeadm's componentconfigs defaulting sets (bindAddress, clientConnection
// kubeconfig, clusterCIDR from the pod subnet) plus what kind's kubeadm config template sets
// (mode iptables, iptables.minSyncPeriod 1s, conntrack.maxPerCore 0). Everything else keeps its
// zero value, as kubeadm marshals it, which is why `ipvs.strictARP: false` appears.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kubeproxyconfig "k8s.io/kube-proxy/config/v1alpha1"
	"sigs.k8s.io/yaml"
)

func main() {
	clusterCIDR := flag.String("cluster-cidr", "10.244.0.0/16", "pod subnet (kind's default)")
	bindAddress := flag.String("bind-address", "0.0.0.0", "kubeadm's IPv4 default")
	mode := flag.String("mode", "iptables", "kube-proxy mode (kind's default)")
	flag.Parse()

	maxPerCore := int32(0)
	cfg := kubeproxyconfig.KubeProxyConfiguration{}
	cfg.APIVersion = kubeproxyconfig.SchemeGroupVersion.String()
	cfg.Kind = "KubeProxyConfiguration"
	cfg.BindAddress = *bindAddress
	cfg.ClientConnection.Kubeconfig = "/var/lib/kube-proxy/kubeconfig.conf"
	cfg.ClusterCIDR = *clusterCIDR
	cfg.Mode = kubeproxyconfig.ProxyMode(*mode)
	cfg.IPTables.MinSyncPeriod = metav1.Duration{Duration: time.Second}
	cfg.Conntrack.MaxPerCore = &maxPerCore

	out, err := yaml.Marshal(&cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Stdout.Write(out)
}
