#!/usr/bin/env bash
# Baseline B of `npm run bench`: the MetalLB page's commands as a person would script them by hand,
# with `kubectl wait` for the pods and a 1-second poll loop for each EXTERNAL-IP, and no checks
# beyond that (`kubectl edit` gets sed as its editor). Runs in a scratch folder with KUBECONFIG/PATH set by the bench.
# BASE is where the manifests come from (the mirror folder's raw.githubusercontent.com, or the URL).
set -u
BASE="${BASE:-https://raw.githubusercontent.com}"

# see what changes would be made, returns nonzero returncode if different
kubectl get configmap kube-proxy -n kube-system -o yaml | \
grep strictARP

# actually apply the changes, returns nonzero returncode on errors only
kubectl get configmap kube-proxy -n kube-system -o yaml | \
sed -e "s/strictARP: false/strictARP: true/" | \
kubectl apply -f - -n kube-system

kubectl apply -f "$BASE/metallb/metallb/v0.11.0/manifests/namespace.yaml"
kubectl apply -f "$BASE/metallb/metallb/v0.11.0/manifests/metallb.yaml" || true

kubectl wait --for=condition=Ready pod --all -n metallb-system --timeout=180s
kubectl get pod -n metallb-system

cat > metallb_config.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  namespace: metallb-system
  name: config
data:
  config: |
    address-pools:
    - name: default
      protocol: layer2
      addresses:
      - 192.168.35.100-192.168.35.110  # IP 대역폭
YAML
kubectl apply -f metallb_config.yaml

expose() { # namespace service ip
  kubectl get "svc/$2" -n "$1"
  # The page's `kubectl edit`, with sed as the editor making the page's two-line change.
  KUBE_EDITOR="sed -i -e 's/^  type: ClusterIP\$/  type: LoadBalancer\\n  loadBalancerIP: $3/'" kubectl edit "svc/$2" -n "$1"
  # One line on stderr per sleep, so the bench can count how often this poll waited (nothing else changes).
  until [ "$(kubectl get "svc/$2" -n "$1" -o jsonpath='{.status.loadBalancer.ingress[0].ip}')" = "$3" ]; do echo "poll-sleep svc/$2" >&2; sleep 1; done
  kubectl get "svc/$2" -n "$1"
}
expose istio-system istio-ingressgateway 192.168.35.100
expose kubeflow minio-service 192.168.35.101
expose mlflow-system mlflow-server-service 192.168.35.102
expose seldon-system seldon-core-analytics-grafana 192.168.35.103
