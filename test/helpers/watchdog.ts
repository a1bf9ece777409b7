/**
 * A vitest reporter that makes sure no test run waits forever, or long, in silence.
 *
 * - After `quiet` minutes without a finished test, it prints what each running file is doing
 *   (which hook or test, for how long), so a cold Kubernetes build is visibly a build, not a hang.
 * - After `limit` minutes in total, it prints the files still running and what they wait on, stops
 *   every process the run started (SIGTERM, then SIGKILL), runs `cluster down` for each sandbox the
 *   run made (their daemons were started detached: no longer below this process) and exits with code 1.
 *
 * Hooks may allow 60 minutes for a cold build, and a blocking child process cannot be interrupted
 * by vitest's own timeouts: this bound holds whatever a test file does. The defaults (80 and
 * 5 minutes) fit under CI's 90-minute job limit; VDOCS_TEST_LIMIT_MINUTES and
 * VDOCS_TEST_QUIET_MINUTES change them.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import { cacheDir, projectRoot } from '../../scripts/lib/paths.ts';
import { isAlive } from '../../scripts/lib/process.ts';
import { SKIPPED_FILE } from './machine.ts';

type Vitest = Parameters<NonNullable<Reporter['onInit']>>[0];
type HookContext = Parameters<NonNullable<Reporter['onHookStart']>>[0];

interface Running {
  since: number;
  /** `beforeAll (e2e > up)`, a test's name, or undefined when nothing is reported. */
  doing: string | undefined;
  doingSince: number;
}

/** `45초`, `12분`, for people. */
const minutes = (ms: number) => (ms < 60_000 ? `${Math.round(ms / 1000)}초` : `${Math.floor(ms / 60_000)}분`);

function limitMs(value: string | undefined, fallbackMinutes: number): number {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(n) && n > 0 ? n * 60_000 : fallbackMinutes * 60_000;
}

export default class Watchdog implements Reporter {
  private vitest: Vitest | undefined;
  private started = Date.now();
  private lastNews = Date.now();
  private readonly running = new Map<string, Running>();
  private timer: NodeJS.Timeout | undefined;
  private readonly limit = limitMs(process.env['VDOCS_TEST_LIMIT_MINUTES'], 80);
  private readonly quiet = limitMs(process.env['VDOCS_TEST_QUIET_MINUTES'], 5);

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  /** The limits count per run (watch mode starts a new one on each change). */
  onTestRunStart(): void {
    fs.rmSync(SKIPPED_FILE, { force: true });
    this.started = this.lastNews = Date.now();
    this.running.clear();
    clearInterval(this.timer);
    this.timer = setInterval(() => this.check(), Math.min(30_000, this.quiet / 4, this.limit / 4));
    this.timer.unref();
  }

  onTestModuleStart(module: TestModule): void {
    this.running.set(module.moduleId, { since: Date.now(), doing: undefined, doingSince: Date.now() });
  }

  onTestModuleEnd(module: TestModule): void {
    this.running.delete(module.moduleId);
    this.lastNews = Date.now();
  }

  onHookStart(hook: HookContext): void {
    const where = hook.entity.type === 'module' ? '' : ` (${hook.entity.fullName})`;
    this.doing(moduleOf(hook), `${hook.name}${where}`);
  }

  onHookEnd(hook: HookContext): void {
    this.doing(moduleOf(hook), undefined);
  }

  onTestCaseReady(test: TestCase): void {
    this.doing(test.module.moduleId, test.fullName);
  }

  onTestCaseResult(test: TestCase): void {
    this.doing(test.module.moduleId, undefined);
    this.lastNews = Date.now();
  }

  /** Ends with the suites that skipped and why (machine.ts records them): a skip is never silent. */
  onTestRunEnd(): void {
    clearInterval(this.timer);
    const skipped = fs.existsSync(SKIPPED_FILE) ? fs.readFileSync(SKIPPED_FILE, 'utf8').trim() : '';
    process.stderr.write(
      skipped
        ? `\n건너뛴 스위트와 그 이유:\n${skipped
            .split('\n')
            .map((l) => `  - ${l}`)
            .join('\n')}\n`
        : '\n건너뛴 스위트: 없음\n',
    );
  }

  private doing(moduleId: string, what: string | undefined): void {
    const entry = this.running.get(moduleId);
    if (entry) Object.assign(entry, { doing: what, doingSince: Date.now() });
  }

  private check(): void {
    const now = Date.now();
    if (now - this.started >= this.limit) return this.expire(now);
    if (now - this.lastNews < this.quiet || this.running.size === 0) return;
    this.lastNews = now;
    this.print([
      `… 테스트 실행 ${minutes(now - this.started)} 째, ${minutes(this.quiet)} 넘게 끝난 테스트가 없습니다. 실행 중:`,
      ...this.describe(now),
    ]);
  }

  private describe(now: number): string[] {
    return [...this.running].map(([id, r]) => {
      const file = this.vitest ? id.replace(`${this.vitest.config.root}/`, '') : id;
      // A worker blocked in a synchronous child process cannot report its hooks until it returns.
      const doing = r.doing
        ? `${r.doing}, ${minutes(now - r.doingSince)} 째`
        : '보고된 훅·테스트 없음 (워커가 동기 명령을 기다리는 중일 수 있습니다)';
      return `  ${file}: ${doing} (파일 시작 ${minutes(now - r.since)} 전)`;
    });
  }

  private expire(now: number): void {
    clearInterval(this.timer);
    this.print([
      `✗ 테스트 실행이 ${minutes(this.limit)} 한도를 넘었습니다 (VDOCS_TEST_LIMIT_MINUTES). 끝나지 않은 파일:`,
      ...this.describe(now),
      '  이 실행이 시작한 프로세스를 모두 멈추고 종료 코드 1 로 끝냅니다.',
      '  남은 샌드박스는 `npm run cluster -- status --name <이름>` 으로 보고 `npm run cluster -- down --name <이름>` 으로 정리하세요 (.cache/sandbox/ 의 폴더 이름).',
    ]);
    stopDescendants(process.pid);
    const made = sandboxesToTearDown(sandboxFolders(path.join(cacheDir(), 'sandbox')), this.started);
    if (made.length > 0)
      this.print([
        `  이 실행이 만든 샌드박스를 내립니다 (각각 최대 ${minutes(DOWN_LIMIT_MS)}):`,
        ...made.map(tearDown),
      ]);
    process.exit(1);
  }

  private print(lines: string[]): void {
    const text = lines.join('\n');
    if (this.vitest) this.vitest.logger.error(text);
    else process.stderr.write(`${text}\n`);
  }
}

export interface SandboxFolder {
  /** The folder's name under .cache/sandbox/: the sandbox's `--name`. */
  name: string;
  createdMs: number;
}

/** The sandboxes this run made: folders created since it started, by name. One there before is someone else's. */
export function sandboxesToTearDown(folders: readonly SandboxFolder[], runStartedMs: number): string[] {
  return folders
    .filter((f) => f.createdMs >= runStartedMs)
    .map((f) => f.name)
    .sort();
}

/**
 * The sandbox folders with when each was made: its birth time where the file system keeps one, else
 * its last change (a sandbox made, or remade, during the run changed after it started).
 */
function sandboxFolders(dir: string): SandboxFolder[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    if (!e.isDirectory()) return [];
    const stat = fs.statSync(path.join(dir, e.name), { throwIfNoEntry: false });
    return stat ? [{ name: e.name, createdMs: stat.birthtimeMs || stat.mtimeMs }] : [];
  });
}

/** Long enough for a pods sandbox's teardown (containers, cgroups, namespaces), short against CI's job limit. */
const DOWN_LIMIT_MS = 120_000;

/** `cluster down --name <name>`, synchronously (the process exits next), bounded; one line saying how it went. */
function tearDown(name: string): string {
  const r = spawnSync(process.execPath, [path.join(projectRoot, 'scripts/cluster.ts'), 'down', '--name', name], {
    cwd: projectRoot,
    env: { ...process.env, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: DOWN_LIMIT_MS,
  });
  if (r.status === 0) return `  샌드박스 ${name}: 내렸습니다`;
  const why = r.error
    ? r.error.message
    : `종료 코드 ${r.status ?? r.signal}: ${(r.stderr ?? '').trim().split('\n').at(-1) ?? ''}`;
  return `  샌드박스 ${name}: 내리지 못했습니다 (${why}). npm run cluster -- down --name ${name}`;
}

function moduleOf(hook: HookContext): string {
  return hook.entity.type === 'module' ? hook.entity.moduleId : hook.entity.module.moduleId;
}

/**
 * SIGTERM to every process below `root`, so commands such as `cluster up` clean up after themselves;
 * up to 10 s for those below the workers to end, then SIGKILL to whatever is left (vitest's workers
 * do not end on SIGTERM).
 */
function stopDescendants(root: number): void {
  const { all, workers } = descendants(root);
  const signal = (sig: NodeJS.Signals) => {
    for (const pid of all) {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + 10_000;
  const waitFor = all.filter((pid) => !workers.includes(pid));
  while (Date.now() < deadline && waitFor.some(isAlive))
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  signal('SIGKILL');
}

/** Pids below `root` from /proc (children after their own children), and its direct children. */
function descendants(root: number): { all: number[]; workers: number[] } {
  const children = new Map<number, number[]>();
  for (const entry of fs.existsSync('/proc') ? fs.readdirSync('/proc') : []) {
    const stat = /^\d+$/.test(entry) ? readStat(Number(entry)) : undefined;
    if (!stat) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const below: number[] = [];
  const visit = (pid: number): void => {
    for (const child of children.get(pid) ?? []) {
      visit(child);
      below.push(child);
    }
  };
  visit(root);
  return { all: below, workers: children.get(root) ?? [] };
}

function readStat(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
}
