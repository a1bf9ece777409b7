/**
 * A vitest reporter that makes sure no test run waits forever, or long, in silence.
 *
 * - After `quiet` minutes without a finished test, it prints what each running file is doing
 *   (which hook or test, for how long), so a cold Kubernetes build is visibly a build, not a hang.
 * - After `limit` minutes in total, it prints the files still running and what they wait on, stops
 *   every process the run started (SIGTERM, then SIGKILL) and exits with code 1.
 *
 * Hooks may allow 60 minutes for a cold build, and a blocking child process cannot be interrupted
 * by vitest's own timeouts: this bound holds whatever a test file does. The defaults (80 and
 * 5 minutes) fit under CI's 90-minute job limit; VDOCS_TEST_LIMIT_MINUTES and
 * VDOCS_TEST_QUIET_MINUTES change them.
 */
import fs from 'node:fs';
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import { isAlive } from '../../scripts/lib/process.ts';

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

  onTestRunEnd(): void {
    clearInterval(this.timer);
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
    this.print([`… 테스트 실행 ${minutes(now - this.started)} 째, ${minutes(this.quiet)} 넘게 끝난 테스트가 없습니다. 실행 중:`, ...this.describe(now)]);
  }

  private describe(now: number): string[] {
    return [...this.running].map(([id, r]) => {
      const file = this.vitest ? id.replace(`${this.vitest.config.root}/`, '') : id;
      // A worker blocked in a synchronous child process cannot report its hooks until it returns.
      const doing = r.doing ? `${r.doing}, ${minutes(now - r.doingSince)} 째` : '보고된 훅·테스트 없음 (워커가 동기 명령을 기다리는 중일 수 있습니다)';
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
    process.exit(1);
  }

  private print(lines: string[]): void {
    const text = lines.join('\n');
    if (this.vitest) this.vitest.logger.error(text);
    else process.stderr.write(`${text}\n`);
  }
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
  while (Date.now() < deadline && waitFor.some(isAlive)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
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
