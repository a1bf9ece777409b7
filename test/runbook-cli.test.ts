import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatError } from '../scripts/lib/errors.ts';
import { memoryIo } from '../scripts/lib/io.ts';
import { parsePage } from '../scripts/model/page.ts';
import { main } from '../scripts/runbook/cli.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runbook-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const emptyCache = path.join(tmp, 'cache');

/** Runs the CLI entry in-process; thrown errors become (exit code, message) like runMain does. */
async function cli(argv: string[], env: Record<string, string | undefined> = {}) {
  const io = memoryIo({ VDOCS_CACHE_DIR: emptyCache, PATH: process.env.PATH, HOME: tmp, ...env });
  let code: number;
  let error = '';
  try {
    code = await main(argv, io);
  } catch (e) {
    const f = formatError(e);
    code = f.exitCode;
    error = f.text;
  }
  return { code, out: io.stdout(), err: io.stderr() + error };
}

function kubeconfig(contexts: string[]): string {
  const file = path.join(tmp, `kubeconfig-${contexts.join('-') || 'none'}`);
  fs.writeFileSync(
    file,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\ncontexts:\n${contexts.map((c) => `- name: ${c}\n  context:\n    cluster: c\n    user: u\n`).join('')}users:\n- name: u\n  user:\n    token: not-a-real-token\n`,
  );
  return file;
}

describe('npm run runbook -- metallb --dry-run', () => {
  it('lists a step for every fenced block of the page, in order, with the exact commands', async () => {
    const { code, out } = await cli(['metallb', '--dry-run']);
    expect(code).toBe(0);
    const page = parsePage(
      fs.readFileSync('src/content/docs/appendix/metallb.md', 'utf8'),
      'src/content/docs/appendix/metallb.md',
    );
    let last = -1;
    for (const block of page.blocks) {
      const at = out.indexOf(block.id, last + 1);
      expect(at, `block ${block.id} is in the plan`).toBeGreaterThan(-1);
      expect(at, `block ${block.id} comes after the previous one`).toBeGreaterThan(last);
      last = at;
    }
    for (const block of page.blocks.filter((b) => b.lang === 'bash')) {
      for (const line of block.code.split('\n')) expect(out).toContain(line);
    }
    expect(out).toContain('대상: 샌드박스 없음 — 실행하려면 먼저 npm run cluster -- up');
    expect(out).toContain('수동 확인: http://192.168.35.100 — 런북은 접속하지 않습니다');
  });
});

describe('bad input: a clear message and exit code 2, nothing written', () => {
  it.each<[string, string[], Record<string, string>, RegExp]>([
    [
      'unknown runbook',
      ['metalb'],
      {},
      /런북 "metalb" 이 없습니다\.[\s\S]*있는 런북: metallb, metallb-v0-16 \("metallb" 를 뜻했나요\?\)/,
    ],
    ['no runbook name', [], {}, /실행할 런북 이름을 주세요[\s\S]*있는 런북: metallb/],
    [
      'unknown step for --from',
      ['metallb', '--from', 'istio/get-afterr'],
      {},
      /--from istio\/get-afterr: 런북 metallb 에 이 단계가 없습니다[\s\S]*"istio\/get-after" 를 뜻했나요\?/,
    ],
    ['unknown step for --only', ['metallb', '--only', 'nope'], {}, /--only nope: 런북 metallb 에 이 단계가 없습니다/],
    ['unknown flag', ['metallb', '--form', 'x'], {}, /알 수 없는 옵션입니다: --form[\s\S]*--from 를 뜻했나요\?/],
    ['no sandbox and no context', ['metallb'], {}, /샌드박스 클러스터 "vdocs" 가 없습니다[\s\S]*npm run cluster -- up/],
    [
      'unknown context',
      ['metallb', '--context', 'prod'],
      { KUBECONFIG: kubeconfig(['dev', 'staging']) },
      /컨텍스트 "prod" 가 없습니다[\s\S]*있는 컨텍스트: dev, staging/,
    ],
    [
      'unreadable kubeconfig',
      ['metallb', '--context', 'dev'],
      { KUBECONFIG: path.join(tmp, 'missing', 'config') },
      /kubeconfig 를 읽을 수 없습니다: .*missing\/config \(ENOENT\)/,
    ],
    [
      'kubeconfig that is not YAML',
      ['metallb', '--context', 'dev'],
      {
        KUBECONFIG: (() => {
          const f = path.join(tmp, 'bad');
          fs.writeFileSync(f, 'clusters: [\n');
          return f;
        })(),
      },
      /올바른 YAML 이 아닙니다/,
    ],
    [
      'a context whose user is not in the kubeconfig',
      ['metallb', '--context', 'dev'],
      {
        KUBECONFIG: (() => {
          const f = path.join(tmp, 'no-user');
          fs.writeFileSync(f, fs.readFileSync(kubeconfig(['dev']), 'utf8').replace('user: u\n', 'user: ghost\n'));
          return f;
        })(),
      },
      /컨텍스트 "dev" 의 사용자 "ghost" 가 kubeconfig 에 없습니다/,
    ],
    [
      'a certificate file the kubeconfig names is missing',
      ['metallb', '--context', 'dev'],
      {
        KUBECONFIG: (() => {
          const f = path.join(tmp, 'no-ca');
          fs.writeFileSync(
            f,
            fs
              .readFileSync(kubeconfig(['dev']), 'utf8')
              .replace(
                'server: https://127.0.0.1:1\n',
                'server: https://127.0.0.1:1\n    certificate-authority: pki/missing-ca.crt\n',
              ),
          );
          return f;
        })(),
      },
      /kubectl 이 컨텍스트 "dev" 만 든 kubeconfig 를 만들지 못했습니다: .*missing-ca\.crt[\s\S]*\$ KUBECONFIG=\S+ \S*kubectl config view --minify --flatten --context dev/,
    ],
    [
      'missing kubectl',
      ['metallb', '--context', 'dev'],
      { KUBECONFIG: kubeconfig(['dev']), PATH: '/nonexistent' },
      /kubectl 을 PATH 에서 찾을 수 없습니다/,
    ],
    [
      'another cluster without a terminal or --yes',
      ['metallb', '--context', 'dev'],
      { KUBECONFIG: kubeconfig(['dev']) },
      /샌드박스가 아니어서 확인이 필요한데[\s\S]*--yes/,
    ],
    [
      'a wait limit that is not a number',
      ['metallb', '--dry-run'],
      { RUNBOOK_WAIT_LIMIT: 'soon' },
      /RUNBOOK_WAIT_LIMIT 는 0 보다 큰 초 단위 숫자여야 합니다: soon/,
    ],
    [
      'missing mirror folder',
      ['metallb', '--mirror', '/nonexistent/mirror', '--dry-run'],
      {},
      /미러 폴더가 없습니다: \/nonexistent\/mirror \(--mirror\)/,
    ],
  ])('%s', async (_name, argv, env, message) => {
    const { code, err } = await cli(argv, env);
    expect(err).toMatch(message);
    expect(code).toBe(2);
    expect(fs.existsSync(emptyCache), 'nothing is written to the project cache').toBe(false);
  });

  it('a malformed page given with --page names file:line', async () => {
    const copy = path.join(tmp, 'page.md');
    fs.writeFileSync(
      copy,
      fs
        .readFileSync('src/content/docs/appendix/metallb.md', 'utf8')
        .replace('step="config/apply"', 'step="Config Apply"'),
    );
    const { code, err } = await cli(['metallb', '--page', copy, '--dry-run']);
    expect(code).toBe(2);
    expect(err).toMatch(/page\.md:\d+: step id "Config Apply" 의 형식이 잘못되었습니다/);
  });
});

describe('the real CLI', () => {
  it('exits 2 on an unknown runbook and lists the available ones on stderr', () => {
    const r = spawnSync('node', ['scripts/runbook.ts', 'nope'], {
      encoding: 'utf8',
      env: { ...process.env, VDOCS_CACHE_DIR: emptyCache },
    });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('✗ 런북 "nope" 이 없습니다. [UNKNOWN_RUNBOOK]');
    expect(r.stderr).toContain('힌트: 있는 런북: metallb');
  });

  it('prints help from the same definition that parses the flags', () => {
    const r = spawnSync('node', ['scripts/runbook.ts', '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    for (const flag of [
      '--context',
      '--dry-run',
      '--from',
      '--only',
      '--report',
      '--junit',
      '--keep-going',
      '--mirror',
      '--yes',
    ])
      expect(r.stdout).toContain(flag);
  });
});

describe('a page whose pods must really run', () => {
  it('is refused on a kwok sandbox before anything runs, naming why and the provider to use', async () => {
    const cache = path.join(tmp, 'kwok-cache');
    const dir = path.join(cache, 'sandbox', 'vdocs');
    fs.mkdirSync(dir, { recursive: true });
    // A sandbox whose API server does not exist: the refusal must come before any connection.
    fs.writeFileSync(path.join(dir, 'kubeconfig'), fs.readFileSync(kubeconfig(['kwok-vdocs'])));
    fs.writeFileSync(
      path.join(dir, 'state.json'),
      JSON.stringify({
        name: 'vdocs',
        provider: 'kwok',
        kubernetes: 'v1.37.0',
        context: 'kwok-vdocs',
        kubeconfig: path.join(dir, 'kubeconfig'),
        server: 'https://127.0.0.1:1',
        createdAt: new Date().toISOString(),
      }),
    );
    const r = await cli(['metallb-v0-16'], { VDOCS_CACHE_DIR: cache });
    expect(r.code).toBe(2);
    expect(r.err).toContain('[PROVIDER_CANNOT_RUN_PAGE]');
    expect(r.err).toContain(
      '런북 metallb-v0-16 은 파드가 실제로 실행되는 클러스터가 필요한데, 샌드박스 "vdocs" 의 kwok 는 파드를 Running 으로 표시만 합니다',
    );
    expect(r.err).toContain('검증 웹훅');
    expect(r.err).toContain('npm run cluster -- down 후 npm run cluster -- up --provider pods');
    expect(fs.existsSync(path.join(cache, 'runs'))).toBe(false);
  });
});
