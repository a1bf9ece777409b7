import { describe } from 'vitest';
import { faultsSuite } from './helpers/e2e-faults-suite.ts';
import { machineHooks, skipReason } from './helpers/machine.ts';

/**
 * The fault tests on the pods provider (real kubelet, containerd, speaker): the API server
 * restarted or its etcd frozen mid-wait, no controller, an unreachable URL, an unschedulable pod,
 * SIGINT/SIGTERM. Skips (saying why) only when this machine cannot host the provider.
 */
if (skipReason('pods', 'e2e-faults-pods')) {
  describe.skip('faults on the pods sandbox', () => undefined);
} else {
  faultsSuite('pods', machineHooks());
}
