import { describe } from 'vitest';
import { faultsSuite } from './helpers/e2e-faults-suite.ts';
import { podsMachineHooks, podsSkipReason } from './helpers/pods-machine.ts';

/**
 * The fault tests on the pods provider (real kubelet, containerd, speaker): the API server
 * restarted or its etcd frozen mid-wait, no controller, an unreachable URL, an unschedulable pod,
 * SIGINT/SIGTERM. Skips (saying why) only when this machine cannot host the provider.
 */
if (podsSkipReason) {
  console.warn(`e2e-faults-pods: 건너뜀 — ${podsSkipReason}`);
  describe.skip('faults on the pods sandbox', () => undefined);
} else {
  faultsSuite('pods', podsMachineHooks());
}
