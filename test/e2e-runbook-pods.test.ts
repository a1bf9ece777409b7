import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { readClaim } from '../scripts/cluster/pods/host.ts';
import { acquireLock } from '../scripts/cluster/lock.ts';
import { runbookSuite } from './helpers/e2e-runbook-suite.ts';

/**
 * The same end-to-end suite and page mutations as on kwok, on the pods provider: a real kubelet,
 * containerd and runc, the MetalLB speaker answering ARP, the browser steps from the client host.
 * Skips (saying why) only when this machine cannot host the provider: not root, or no cgroup v1.
 */
const skip = process.getuid?.() !== 0 ? 'root가 아닙니다' : !fs.existsSync('/sys/fs/cgroup/memory/cgroup.procs') ? 'cgroup v1 memory 컨트롤러가 없습니다' : undefined;
/** The lock every pods test file takes: one pods sandbox per machine, files take turns. */
const MACHINE_LOCK = path.join(os.tmpdir(), 'vdocs-pods-tests.lock');

if (skip) {
  console.warn(`e2e-runbook-pods: 건너뜀 — ${skip}`);
  describe.skip('MetalLB runbook on the pods sandbox', () => undefined);
} else {
  let release: (() => void) | undefined;
  runbookSuite('pods', {
    before: async () => {
      release = await acquireLock(MACHINE_LOCK, new AbortController().signal);
      expect(readClaim(), '이 머신에 다른 pods 샌드박스가 떠 있습니다: 그 체크아웃에서 npm run cluster -- down').toBeUndefined();
    },
    after: () => release?.(),
  });
}
