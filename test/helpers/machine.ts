import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { enginePaths, readEngineClaim } from '../../scripts/cluster/kind/engine.ts';
import { liveClaim } from '../../scripts/cluster/pods/host.ts';
import { acquireLock } from '../../scripts/cluster/lock.ts';

/**
 * Which providers that run real pods this machine can host, and the one lock their test files take
 * turns on (pods and kind never run at the same time on one machine).
 *
 * A suite skips only when the machine cannot host its provider at all, saying why. With `CI` set a
 * skip fails the file instead, unless `VDOCS_ALLOW_SKIP` names the provider (`pods,kind`) and so
 * says on purpose that this CI cannot run it; every skip is listed at the end of the run
 * (test-results/skipped-suites.txt, printed by the watchdog reporter).
 */
type RealProvider = 'pods' | 'kind';

const isRoot = process.getuid?.() === 0;

/** The one answer per provider to "can this machine host it?" (missing packages are not a reason: CI installs them, and the suite then fails loudly). */
function cannotHost(provider: RealProvider): string | undefined {
  if (provider === 'pods') {
    if (!isRoot) return 'root 가 아닙니다 (네트워크 네임스페이스·마운트·cgroup 을 만들어야 합니다)';
    if (!fs.existsSync('/sys/fs/cgroup/memory/cgroup.procs'))
      return '/sys/fs/cgroup 에 cgroup v1 memory 컨트롤러가 없습니다';
    return undefined;
  }
  // The kind suites test kind on the project's own Docker daemon, offline; kind on a user's Docker is the nightly's.
  if (
    spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 10_000 }).status === 0
  )
    return '이 머신의 Docker 가 응답합니다: 이 스위트는 이 프로젝트의 Docker 데몬 위의 kind 를 시험합니다 (여러분의 Docker 위의 kind 는 nightly 가 검증합니다)';
  if (!isRoot) return 'root 가 아니어서 이 프로젝트의 Docker 데몬을 띄울 수 없습니다';
  if (process.platform !== 'linux') return 'Linux 가 아닙니다';
  return undefined;
}

export const SKIPPED_FILE = path.resolve('test-results/skipped-suites.txt');

/** `describe` for a suite on `provider`, or `describe.skip` with the reason recorded (see `skipReason`). */
export function providerDescribe(provider: RealProvider, suite: string): typeof describe | typeof describe.skip {
  return skipReason(provider, suite) === undefined ? describe : describe.skip;
}

/**
 * Why `suite` skips here (recorded for the end of the run), or undefined when the machine hosts
 * `provider`. Under CI an unannounced skip throws, so the file fails rather than going green unrun.
 */
export function skipReason(provider: RealProvider, suite: string): string | undefined {
  const reason = cannotHost(provider);
  if (!reason) return undefined;
  const allowed = (process.env.VDOCS_ALLOW_SKIP ?? '').split(',').map((s) => s.trim());
  if (process.env.CI && !allowed.includes(provider)) {
    throw new Error(
      `${suite}: 이 CI 머신은 ${provider} 프로바이더를 실행할 수 없습니다 (${reason}). 일부러 건너뛰려면 VDOCS_ALLOW_SKIP=${provider} 로 이유를 밝히세요.`,
    );
  }
  fs.mkdirSync(path.dirname(SKIPPED_FILE), { recursive: true });
  fs.appendFileSync(SKIPPED_FILE, `${suite}: ${provider} — ${reason}\n`);
  console.warn(`${suite}: 건너뜀 — ${reason}`);
  return reason;
}

/** The lock every real-pod test file takes: files take turns on the machine. */
export const MACHINE_LOCK = path.join(os.tmpdir(), 'vdocs-pods-tests.lock');

/** beforeAll/afterAll hooks of a suite that brings up its own pods or kind sandbox: wait for the machine, then check it is free. */
export function machineHooks(): { before: () => Promise<void>; after: () => void } {
  let release: (() => void) | undefined;
  return {
    before: async () => {
      release = await acquireLock(MACHINE_LOCK, new AbortController().signal);
      expect(
        liveClaim(),
        '이 머신에 다른 pods 샌드박스가 떠 있습니다: 그 체크아웃에서 npm run cluster -- down',
      ).toBeUndefined();
      const engine = readEngineClaim();
      expect(
        engine === undefined || engine.dir === enginePaths(process.env).dir,
        `다른 체크아웃의 Docker 데몬(${engine?.dir})이 떠 있습니다: 그 체크아웃에서 kind 샌드박스를 내리세요`,
      ).toBe(true);
    },
    after: () => release?.(),
  };
}
