/**
 * The prereq step `npm test` runs first (scripts/prereqs/): on a fake machine, what it reports,
 * what it installs and when it refuses to; then once on this machine as `npm test` runs it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../scripts/lib/io.ts';
import { checkPrereqs, type System } from '../scripts/prereqs/main.ts';
import { command, requirements } from '../scripts/prereqs/requirements.ts';

/** A folder with an executable `go`, so the Go check passes without depending on this machine. */
const goDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prereqs-go-'));
fs.writeFileSync(path.join(goDir, 'go'), '#!/bin/sh\n', { mode: 0o755 });
afterAll(() => fs.rmSync(goDir, { recursive: true, force: true }));

interface Fake {
  root?: boolean;
  installed?: string[];
  env?: Record<string, string>;
  sudo?: boolean;
  aptFails?: boolean;
}

/** A machine whose `which`/`fc-list` answer from `installed`; apt-get install adds the packages. */
function fakeSystem({ root = false, installed = [], env = {}, sudo = false, aptFails = false }: Fake) {
  const have = new Set(['apt-get', ...installed]);
  const calls: string[] = [];
  const system: System = {
    env: { PATH: goDir, ...env },
    isRoot: root,
    which: (name) =>
      name.startsWith('/') ? (have.has(name) ? name : undefined) : have.has(name) ? `/usr/bin/${name}` : undefined,
    query: (cmd) => {
      if (cmd === 'sudo') return sudo ? '' : undefined;
      if (cmd === 'gcc') return have.has('libc6-dev') ? '/usr/lib/x86_64-linux-gnu/libc.a\n' : 'libc.a\n';
      if (cmd !== 'fc-list' || !have.has('fontconfig')) return undefined;
      return have.has('fonts-noto-cjk') ? 'DejaVu Sans\nNoto Sans CJK KR,Noto Sans CJK KR Regular\n' : 'DejaVu Sans\n';
    },
    exec: async (cmd, args) => {
      calls.push([cmd, ...args].join(' '));
      if (aptFails) return 100;
      if (args.includes('install'))
        for (const p of args.slice(args.indexOf('--no-install-recommends') + 1))
          if (!p.startsWith('-') && !p.includes('::')) have.add(p);
      if (have.has('containernetworking-plugins')) have.add('/usr/lib/cni/bridge');
      if (have.has('docker.io')) have.add('dockerd');
      return 0;
    },
  };
  return { system, calls };
}

const podsTools = ['containerd', 'runc', 'iptables', 'conntrack', 'tcpdump', '/usr/lib/cni/bridge'];
const kindTools = ['dockerd', 'mmdebstrap', 'gcc', 'libc6-dev'];
const everything = ['chromium', 'fontconfig', 'fonts-noto-cjk', ...podsTools, ...kindTools];
const PODS_PACKAGES = 'containerd runc containernetworking-plugins iptables conntrack util-linux iproute2 tcpdump';
const KIND_PACKAGES = 'docker.io mmdebstrap gcc libc6-dev';

describe('npm test prerequisites', () => {
  it('passes quietly when everything is there: one ✓ line each, nothing installed', async () => {
    const { system, calls } = fakeSystem({ installed: everything });
    const io = memoryIo();
    expect(await checkPrereqs(io, system)).toBe(0);
    expect(io.stderr()).toBe(
      `✓ Chromium: /usr/bin/chromium\n✓ 한국어 글꼴 (Noto Sans CJK): fc-list 에 Noto Sans CJK 가 있습니다\n✓ Go: ${goDir}/go\n✓ 실제 파드 샌드박스 (containerd, runc, CNI, iptables, conntrack, tcpdump): root 가 아니어서 pods 테스트는 건너뜁니다 (kwok 으로 검증)\n✓ kind 샌드박스 (이 프로젝트의 Docker 데몬, 노드 이미지): root 가 아니어서 이 프로젝트의 Docker 데몬은 띄우지 않습니다 (Docker 가 응답하면 그것을 씁니다)\n`,
    );
    expect(calls).toEqual([]);
  });

  it('not root: stops at once, names what is missing and prints the exact install command', async () => {
    const { system, calls } = fakeSystem({ installed: ['fontconfig'] });
    const io = memoryIo();
    expect(await checkPrereqs(io, system)).toBe(1);
    expect(calls).toEqual([]);
    expect(io.stderr()).toContain(
      '✗ Chromium 없음: PATH 에 chromium 이 없습니다. (쓰는 곳: 브라우저 테스트 test/browser.test.ts)\n',
    );
    expect(io.stderr()).toContain('✗ 한국어 글꼴 (Noto Sans CJK) 없음: fc-list 에 Noto Sans CJK 가 없습니다.');
    expect(io.stderr()).toContain(
      'sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium fonts-noto-cjk fontconfig\n',
    );
  });

  it('root: one apt-get update, one apt-get install --no-install-recommends of every missing package, then checks again', async () => {
    const { system, calls } = fakeSystem({ root: true });
    const io = memoryIo();
    expect(await checkPrereqs(io, system)).toBe(0);
    expect(calls).toEqual([
      'apt-get update -qq -o DPkg::Lock::Timeout=300',
      `env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 chromium fonts-noto-cjk fontconfig ${PODS_PACKAGES} ${KIND_PACKAGES}`,
    ]);
    expect(io.stderr()).toContain(
      `테스트에 필요한 것이 없어 Debian 패키지를 설치합니다 (Chromium, 한국어 글꼴 (Noto Sans CJK), 실제 파드 샌드박스 (containerd, runc, CNI, iptables, conntrack, tcpdump), kind 샌드박스 (이 프로젝트의 Docker 데몬, 노드 이미지)): chromium fonts-noto-cjk fontconfig ${PODS_PACKAGES} ${KIND_PACKAGES}`,
    );
    expect(io.stderr()).toContain('✓ kind 샌드박스 (이 프로젝트의 Docker 데몬, 노드 이미지): dockerd, mmdebstrap, gcc');
    expect(io.stderr()).toContain('✓ Chromium: /usr/bin/chromium');
  });

  it('root, but apt-get fails: exit 1 with the command that failed and the install hint', async () => {
    const { system, calls } = fakeSystem({ root: true, aptFails: true });
    const io = memoryIo();
    expect(await checkPrereqs(io, system)).toBe(1);
    expect(calls).toHaveLength(1);
    expect(io.stderr()).toContain('✗ apt-get update -qq -o DPkg::Lock::Timeout=300 (종료 코드 100)');
    expect(io.stderr()).toContain(
      'apt-get update && apt-get install -y --no-install-recommends chromium fonts-noto-cjk fontconfig',
    );
  });

  it('CI without root uses password-less sudo; without CI it never calls sudo', async () => {
    const ci = fakeSystem({ sudo: true, env: { CI: 'true' }, installed: ['fontconfig', 'fonts-noto-cjk'] });
    expect(await checkPrereqs(memoryIo(), ci.system)).toBe(0);
    expect(ci.calls).toEqual([
      'sudo -n apt-get update -qq -o DPkg::Lock::Timeout=300',
      'sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 chromium',
    ]);
    const laptop = fakeSystem({ sudo: true, installed: ['fontconfig', 'fonts-noto-cjk'] });
    expect(await checkPrereqs(memoryIo(), laptop.system)).toBe(1);
    expect(laptop.calls).toEqual([]);
  });

  it('a CHROMIUM_PATH that is not there is a setting to fix, not something apt installs', async () => {
    const { system, calls } = fakeSystem({ root: true, installed: everything, env: { CHROMIUM_PATH: '/nonexistent' } });
    const io = memoryIo();
    expect(await checkPrereqs(io, system)).toBe(1);
    expect(calls).toEqual([]);
    expect(io.stderr()).toContain('CHROMIUM_PATH=/nonexistent 는 실행할 수 있는 파일이 아닙니다. 고치거나 지우세요');
  });

  it("Go is not installed from apt (Debian's is too old): the hint says where to get it", async () => {
    const { system, calls } = fakeSystem({ root: true, installed: everything });
    const io = memoryIo();
    expect(await checkPrereqs(io, { ...system, env: { PATH: '' } })).toBe(1);
    expect(calls).toEqual([]);
    expect(io.stderr()).toContain('✗ Go 없음: Go 툴체인(go)을 PATH에서 찾을 수 없습니다.');
    expect(io.stderr()).toContain('힌트: Go 1.26 이상을 설치하세요: https://go.dev/doc/install');
  });

  it('one list: a tool added with command() joins the same apt-get install', async () => {
    const { system, calls } = fakeSystem({ root: true, installed: ['fontconfig'] });
    expect(await checkPrereqs(memoryIo(), system, [...requirements, command('jq', 'JSON 도구', ['jq'])])).toBe(0);
    expect(calls[1]).toMatch(
      new RegExp(
        `--no-install-recommends -o DPkg::Lock::Timeout=300 chromium fonts-noto-cjk fontconfig ${PODS_PACKAGES} ${KIND_PACKAGES} jq$`,
      ),
    );
  });

  it('runs on this machine as npm test runs it: exit 0 here, and 1 at once for a missing CHROMIUM_PATH', () => {
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, ['scripts/prereqs.ts'], {
        encoding: 'utf8',
        env: { ...process.env, ...env },
        timeout: 30_000,
      });
    const ok = run({});
    expect(ok.stderr).toMatch(/^✓ Chromium: /);
    expect(ok.status).toBe(0);
    const t0 = performance.now();
    const missing = run({ CHROMIUM_PATH: '/nonexistent' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('CHROMIUM_PATH=/nonexistent');
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});
