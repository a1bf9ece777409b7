import { describe } from 'vitest';
import { runbookSuite } from './helpers/e2e-runbook-suite.ts';
import { machineHooks, skipReason } from './helpers/machine.ts';

/**
 * The same end-to-end suite and page mutations as on kwok, on the pods provider: a real kubelet,
 * containerd and runc, the MetalLB speaker answering ARP, the browser steps from the client host.
 * Skips (saying why) only when this machine cannot host the provider: not root, or no cgroup v1.
 */
if (skipReason('pods', 'e2e-runbook-pods')) {
  describe.skip('MetalLB runbook on the pods sandbox', () => undefined);
} else {
  runbookSuite('pods', machineHooks());
}
