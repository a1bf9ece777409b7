/**
 * `node scripts/prereqs.ts` (the first thing `npm test` runs): are the tools in `requirements.ts` there? If not and
 * apt-get may be used (root, or CI with password-less sudo), one `apt-get update` and one `apt-get install
 * --no-install-recommends` of their Debian packages; otherwise stop at once with what is missing and the exact command.
 */
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import { formatCommand, which } from '../lib/process.ts';
import type { Io } from '../lib/io.ts';
import { Status } from '../lib/status.ts';
import { requirements as all, type Probe, type Requirement } from './requirements.ts';

/** The machine as the prereq step sees it; tests pass a fake one. */
export interface System extends Probe {
  /** Runs a command with its output shown on stderr; resolves to its exit code. */
  exec(cmd: string, args: string[]): Promise<number>;
}

type Result = ReturnType<typeof checkAll>[number];

/** apt-get waits this long for another apt/dpkg to finish instead of failing at once. */
const APT_LOCK = ['-o', 'DPkg::Lock::Timeout=300'];
const APT_INSTALL = ['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...APT_LOCK];

export async function checkPrereqs(io: Io, system: System, requirements: Requirement[] = all): Promise<number> {
  const status = new Status(io);
  let results = checkAll(requirements, system);
  const packages = aptPackages(results);
  const prefix = installPrefix(system);
  if (packages.length > 0 && prefix) {
    const names = aptFixable(results).map((r) => r.requirement.name);
    status.info(`테스트에 필요한 것이 없어 Debian 패키지를 설치합니다 (${names.join(', ')}): ${packages.join(' ')}`);
    const update = [...prefix, 'apt-get', 'update', '-qq', ...APT_LOCK];
    const install = [...prefix, 'env', 'DEBIAN_FRONTEND=noninteractive', ...APT_INSTALL, ...packages];
    for (const [cmd, ...args] of [update, install] as [string, ...string[]][]) {
      const command = formatCommand(cmd, args);
      status.start(command);
      const t0 = performance.now();
      const code = await system.exec(cmd, args);
      if (code !== 0) {
        status.fail(`${command} (종료 코드 ${code})`, performance.now() - t0);
        break;
      }
      status.ok(command, performance.now() - t0);
    }
    results = checkAll(requirements, system);
  }
  return report(results, status, system);
}

function checkAll(requirements: Requirement[], probe: Probe) {
  return requirements.map((requirement) => ({ requirement, check: requirement.check(probe) }));
}

const aptFixable = (results: Result[]) => results.filter((r) => 'missing' in r.check && r.check.aptFixes);
const aptPackages = (results: Result[]) => [...new Set(aptFixable(results).flatMap((r) => r.requirement.debian))];

/** `[]` as root, `['sudo', '-n']` on CI with password-less sudo, else undefined (we may not install). */
function installPrefix(system: System): string[] | undefined {
  if (!system.which('apt-get')) return undefined;
  if (system.isRoot) return [];
  if (system.env.CI && system.query('sudo', ['-n', 'true']) !== undefined) return ['sudo', '-n'];
  return undefined;
}

function report(results: Result[], status: Status, system: System): number {
  for (const { requirement, check } of results) {
    if ('found' in check) status.ok(`${requirement.name}: ${check.found}`);
    else status.fail(`${requirement.name} 없음: ${check.missing} (쓰는 곳: ${requirement.usedBy})`);
  }
  if (results.every((r) => 'found' in r.check)) return 0;
  const packages = aptPackages(results);
  if (packages.length > 0) {
    const sudo = system.isRoot ? '' : 'sudo ';
    status.info('설치하세요 (root 로 npm test 를 실행하면 직접 설치합니다):');
    status.info(`  ${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends ${packages.join(' ')}`);
    if (!system.which('apt-get'))
      status.info(
        `  apt-get 이 없습니다: 배포판의 패키지 관리자로 같은 것을 설치하세요 (Debian 이름: ${packages.join(', ')}).`,
      );
  }
  for (const { check } of results) if ('missing' in check && check.hint) status.info(`힌트: ${check.hint}`);
  status.info('준비가 끝나면 npm test 를 다시 실행하세요.');
  return 1;
}

/** This machine. Queries are short and bounded; installs show apt's output on stderr. */
export function hostSystem(io: Io): System {
  return {
    env: io.env,
    isRoot: os.userInfo().uid === 0,
    which: (name) => which(name, io.env),
    query: (cmd, args) => {
      const r = spawnSync(cmd, args, {
        encoding: 'utf8',
        env: io.env,
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 15_000,
      });
      return r.status === 0 ? r.stdout : undefined;
    },
    exec: (cmd, args) =>
      new Promise((resolve) => {
        const child = spawn(cmd, args, { env: io.env, stdio: ['ignore', 'pipe', 'pipe'], signal: io.signal });
        for (const stream of [child.stdout, child.stderr]) stream.on('data', (d: Buffer) => io.err(d.toString()));
        child.on('error', (error) => {
          io.err(`${error.message}\n`);
          resolve(127);
        });
        child.on('close', (code) => resolve(code ?? 1));
      }),
  };
}

/** `npm test` runs this first; it takes no arguments. */
export async function prereqsMain(argv: string[], io: Io): Promise<number> {
  if (argv.length > 0) {
    io.err(
      `✗ 인자를 받지 않습니다: ${argv.join(' ')}\n  사용법: node scripts/prereqs.ts (npm test 가 먼저 실행합니다)\n`,
    );
    return 2;
  }
  return checkPrereqs(io, hostSystem(io));
}
