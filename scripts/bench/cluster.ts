import { sandboxKubectl as kubectl, type SandboxState } from '../cluster/state.ts';
import type { BoundFixture } from '../runbook/bind.ts';
import { serviceBody } from '../runbook/fixtures.ts';

/**
 * Puts the sandbox back to the state the MetalLB page starts from, so runs A and B do identical
 * work: MetalLB and the dashboard namespaces removed, kube-proxy's ConfigMap back to
 * `strictARP: false` without a last-applied annotation, and the dashboard services present as
 * ClusterIP, built from the page like the runner's stand-ins but as plain objects (as an earlier
 * chapter would have left them), so neither A nor B spends time creating them.
 */
export function reset(state: SandboxState, fixtures: BoundFixture[]): void {
  // MetalLB v0.11.0 labels every object `app: metallb`; its namespace holds the rest. (`delete -f`
  // would fail on the PodSecurityPolicies, as the apply does on Kubernetes 1.25+.)
  const gone = ['--ignore-not-found', '--wait=true'];
  kubectl(state, ['delete', 'clusterrole,clusterrolebinding', '-l', 'app=metallb', ...gone]);
  kubectl(state, ['delete', 'namespace', 'metallb-system', ...fixtures.map((f) => f.namespace), ...gone]);
  const cm = JSON.parse(kubectl(state, ['get', 'configmap', 'kube-proxy', '-n', 'kube-system', '-o', 'json'])) as {
    metadata: Record<string, unknown> & { annotations?: Record<string, string> };
    data: Record<string, string>;
  };
  delete cm.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
  for (const field of ['resourceVersion', 'uid', 'creationTimestamp', 'managedFields']) delete cm.metadata[field];
  cm.data['config.conf'] = (cm.data['config.conf'] ?? '').replace('strictARP: true', 'strictARP: false');
  kubectl(state, ['delete', 'configmap', 'kube-proxy', '-n', 'kube-system']);
  kubectl(state, ['create', '-f', '-'], JSON.stringify(cm));
  for (const f of fixtures) {
    kubectl(state, ['create', 'namespace', f.namespace]);
    kubectl(state, ['create', '-f', '-'], JSON.stringify(serviceBody(f, false)));
  }
}

/**
 * The longest time, in ms, from a metallb-system pod's creation to the start of one of its
 * containers. On real pods MetalLB v0.11.0's speaker reads the `memberlist` secret that the
 * controller makes: when the speaker comes first, the kubelet reports `Error: secret "memberlist"
 * not found` and tries again, at once when another change wakes it, or else after its 10 s back-off.
 * Counting those warnings does not tell the two apart (nearly every run has one); this time does.
 */
export function metallbStartDelay(state: SandboxState): number {
  type Pod = {
    metadata: { creationTimestamp: string };
    status?: { containerStatuses?: { state?: { running?: { startedAt?: string } } }[] };
  };
  const pods = JSON.parse(kubectl(state, ['get', 'pods', '-n', 'metallb-system', '-o', 'json'])) as { items: Pod[] };
  const delays = pods.items.flatMap((p) =>
    (p.status?.containerStatuses ?? []).map(
      (c) => Date.parse(c.state?.running?.startedAt ?? '') - Date.parse(p.metadata.creationTimestamp),
    ),
  );
  return Math.max(0, ...delays.filter((d) => Number.isFinite(d)));
}
