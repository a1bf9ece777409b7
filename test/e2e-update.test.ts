import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatError } from '../scripts/lib/errors.ts';
import { memoryIo } from '../scripts/lib/io.ts';
import { readReport } from '../scripts/model/report.ts';
import { main } from '../scripts/runbook/cli.ts';
import { asPublished } from './helpers/published.ts';
import { cli, down, testMirror, up } from './helpers/sandbox.ts';

/**
 * Items 3 and 4 of issue 14 on a real API server (kwok): a runbook scaffolded from the MetalLB page
 * without its step ids binds and passes its plain run/output steps; `--update` on a copy whose
 * output blocks were edited writes them back from a real run (volatile columns keep the page's
 * values), runs the written page again, and a second `--update` changes nothing.
 */
const NAME = 'e2e-update';
const PAGE = 'src/content/docs/appendix/metallb.md';
const MIRROR = testMirror();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `${NAME}-`));
const original = fs.readFileSync(PAGE, 'utf8');

function edit(source: string, pairs: Array<[string, string]>): string {
  return pairs.reduce((s, [from, to]) => {
    expect(s.split(from).length, `exactly one "${from}"`).toBe(2);
    return s.replace(from, to);
  }, source);
}

/** Three output blocks as an author might have got them wrong; RESTARTS (volatile) edited too, which must stay. */
const WRONG: Array<[string, string]> = [
  ['speaker-fnf8l                 1/1     Running   1', 'speaker-fnf8l                 1/1     Pending   7'],
  ['192.168.35.101   9000:31371/TCP', '192.168.35.109   9000:31371/TCP'],
  [
    '```text step="config/apply-output" of="config/apply"\nconfigmap/config created',
    '```text step="config/apply-output" of="config/apply"\nconfigmap/konfig created',
  ],
];
/** What the page should read after --update: the cluster's values, except RESTARTS which is volatile. */
const RESTORED = edit(original, [WRONG[0]!]).replace('Pending   7', 'Running   7');

function runbook(args: string[]) {
  return cli('runbook', [...args, '--sandbox', NAME], { RUNBOOK_MIRROR: MIRROR, RUNBOOK_WAIT_LIMIT: '5' });
}

beforeAll(() => {
  up(NAME);
}, 60 * 60_000);

afterAll(() => {
  down(NAME);
  fs.rmSync(tmp, { recursive: true, force: true });
}, 120_000);

describe('runbook new and --update on the kwok sandbox', () => {
  it('a runbook scaffolded from the page as the guide publishes it (no step ids, outputs fenced bash, screenshots as ![]()) binds and passes every plain run/output step, untouched', () => {
    const page = path.join(tmp, 'scaffold.md');
    fs.writeFileSync(page, asPublished(original));
    const file = path.join(tmp, 'scaffold.ts');
    // The manifests' images are read through the mirror, as the run reads them (no network here).
    const made = cli('runbook', ['new', page, '--runbook', file], { RUNBOOK_MIRROR: testMirror() });
    expect(made.code).toBe(0);
    const report = path.join(tmp, 'scaffold.json');
    // --keep-going: the one step the author must refine (two outputs, a drift) must not hide the others.
    // The scaffolded waits as declared (no RUNBOOK_WAIT_LIMIT): a slow machine assigns the EXTERNAL-IPs later, not never.
    const r = cli('runbook', ['--runbook', file, '--report', report, '--keep-going', '--sandbox', NAME], {
      RUNBOOK_MIRROR: MIRROR,
    });
    expect(r.stderr).not.toContain('[BINDING]');
    const data = readReport(report);
    const status = Object.fromEntries(data.steps.map((s) => [s.id, s.status]));
    expect(data.steps.filter((s) => s.status === 'failed').map((s) => s.id)).toEqual(['metallb/apply']);
    const plain = [
      'preparation/get',
      'preparation/apply',
      'manifest/get',
      'metallb-config-yaml/apply',
      ...['kubeflow', 'minio', 'mlflow', 'grafana'].flatMap((d) => [`${d}-dashboard/get`, `${d}-dashboard/get-2`]),
    ];
    for (const id of plain) expect([id, status[id]]).toEqual([id, 'passed']);
    for (const d of ['kubeflow', 'minio', 'mlflow', 'grafana']) {
      expect(status[`${d}-dashboard/edit`]).toBe('passed');
      expect(status[`${d}-dashboard/browser`]).toBe('manual');
    }
    expect(status['metallb-config-yaml/file']).toBe('passed');
    // Without the drift the author adds, 1.37 prints what the page's caution box says: the page's own 1.24 list fails.
    expect(data.steps.find((s) => s.id === 'metallb/apply')?.problems.join(' ')).toContain('종료 코드: 기대 0, 실제 1');
  }, 240_000);

  it('a background step from the page (kubectl proxy) serves the steps after it and is stopped with its process group when the run fails', () => {
    const page = path.join(tmp, 'background.md');
    const port = 18_000 + (process.pid % 1000);
    fs.writeFileSync(
      page,
      [
        '---',
        'title: 프록시',
        '---',
        '',
        '## API 프록시',
        '',
        'API 서버에 프록시를 여세요.',
        '',
        '```bash',
        `kubectl proxy --port=${port}`,
        '```',
        '',
        '프록시로 기본 네임스페이스를 읽으세요.',
        '',
        '```bash',
        `curl -s -o /dev/null -w '%{http_code}\\n' http://127.0.0.1:${port}/api/v1/namespaces/default`,
        '```',
        '',
        '```text',
        '200',
        '```',
        '',
        '없는 네임스페이스를 읽으면 실패합니다.',
        '',
        '```bash',
        'kubectl get namespace no-such-namespace',
        '```',
        '',
      ].join('\n'),
    );
    const file = path.join(tmp, 'background.ts');
    expect(cli('runbook', ['new', page, '--runbook', file], {}).code).toBe(0);
    const report = path.join(tmp, 'background.json');
    const r = cli('runbook', ['--runbook', file, '--report', report, '--sandbox', NAME], { RUNBOOK_MIRROR: MIRROR });
    expect(r.code, r.stderr.slice(-2000)).toBe(1);
    const steps = readReport(report).steps.map((s) => [s.id, s.status]);
    expect(steps).toEqual([
      ['api/proxy', 'passed'],
      ['api/curl', 'passed'],
      ['api/get', 'failed'],
    ]);
    // Nothing answers on the proxy's port any more: the run stopped it (and its kubectl) on its way out.
    const probe = spawnSync('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`]);
    expect(probe.status).not.toBe(0);
  }, 240_000);

  it("--update writes the cluster's output into the edited blocks, keeps volatile columns, runs the page again, and a second --update changes nothing", () => {
    const page = path.join(tmp, 'update.md');
    fs.writeFileSync(page, edit(original, WRONG));
    const first = runbook(['metallb', '--page', page, '--update', '--yes', '--report', path.join(tmp, 'update.json')]);
    expect(first.stderr.slice(-1500)).toContain('✓ 쓴 페이지로 다시 실행해 통과했습니다.');
    expect(first.code).toBe(0);
    expect(fs.readFileSync(page, 'utf8')).toBe(RESTORED);
    expect(first.stdout).toContain(
      '-minio-service   LoadBalancer   10.109.209.87   192.168.35.109   9000:31371/TCP   5h21m\n+minio-service   LoadBalancer   10.109.209.87   192.168.35.101   9000:31371/TCP   5h21m',
    );
    expect(first.stdout).toContain('-configmap/konfig created\n+configmap/config created');
    expect(first.stderr).toContain(
      '출력 블록 3개를 썼습니다: install/get-pods-output, config/apply-output, minio/get-after-output',
    );
    // The report left is the verification's: the written page passed.
    expect(readReport(path.join(tmp, 'update.json')).status).toBe('passed');

    const second = runbook(['metallb', '--page', page, '--update', '--yes']);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('실제 출력과 다른 출력 블록이 없습니다.');
    expect(second.stdout).not.toContain('@@');
    expect(fs.readFileSync(page, 'utf8')).toBe(RESTORED);
  }, 360_000);

  it('asks before writing: no terminal and no --yes exits 2, "no" keeps the page, "yes" writes', async () => {
    const wrong = edit(original, [WRONG[1]!]);
    const page = path.join(tmp, 'ask.md');
    fs.writeFileSync(page, wrong);
    const args = ['metallb', '--page', page, '--only', 'minio/get-after', '--update', '--sandbox', NAME];
    const noTty = cli('runbook', args, { RUNBOOK_MIRROR: MIRROR, RUNBOOK_WAIT_LIMIT: '3' });
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toContain('[CONFIRMATION_REQUIRED]');
    expect(noTty.stderr).toContain('--update --yes');
    expect(noTty.stdout).toContain('+minio-service   LoadBalancer');
    expect(fs.readFileSync(page, 'utf8')).toBe(wrong);

    const ask = async (answer: string) => {
      const questions: string[] = [];
      const io = {
        ...memoryIo({ PATH: process.env.PATH, RUNBOOK_MIRROR: MIRROR, RUNBOOK_WAIT_LIMIT: '3' }),
        interactive: true,
        ask: async (q: string) => (questions.push(q), answer),
      };
      let code: number;
      try {
        code = await main(args, io);
      } catch (error) {
        code = formatError(error).exitCode;
      }
      return { code, questions, err: io.stderr() };
    };
    const no = await ask('no');
    expect(no.code).toBe(1);
    expect(no.questions).toEqual([
      expect.stringContaining(
        '의 출력 블록 1개(minio/get-after-output)를 실제 출력으로 바꿀까요? 정확히 "yes" 를 입력하세요',
      ),
    ]);
    expect(no.err).toContain('쓰지 않았습니다.');
    expect(fs.readFileSync(page, 'utf8')).toBe(wrong);
    const yes = await ask('yes');
    expect(yes.code).toBe(0);
    expect(fs.readFileSync(page, 'utf8')).toBe(original);
  }, 240_000);
});
