import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { liveClaim } from '../../scripts/cluster/pods/host.ts';
import { acquireLock } from '../../scripts/cluster/lock.ts';

/** Why this machine cannot host the pods provider (not root, or no cgroup v1), or undefined. */
export const podsSkipReason: string | undefined =
  process.getuid?.() !== 0 ? 'root가 아닙니다' : !fs.existsSync('/sys/fs/cgroup/memory/cgroup.procs') ? 'cgroup v1 memory 컨트롤러가 없습니다' : undefined;

/** The lock every pods test file takes: one pods sandbox per machine, files take turns. */
export const PODS_MACHINE_LOCK = path.join(os.tmpdir(), 'vdocs-pods-tests.lock');

/** beforeAll/afterAll hooks of a suite that brings up its own pods sandbox: wait for the machine, then check it is free. */
export function podsMachineHooks(): { before: () => Promise<void>; after: () => void } {
  let release: (() => void) | undefined;
  return {
    before: async () => {
      release = await acquireLock(PODS_MACHINE_LOCK, new AbortController().signal);
      expect(liveClaim(), '이 머신에 다른 pods 샌드박스가 떠 있습니다: 그 체크아웃에서 npm run cluster -- down').toBeUndefined();
    },
    after: () => release?.(),
  };
}
