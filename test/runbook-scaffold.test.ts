import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatError } from '../scripts/lib/errors.ts';
import { memoryIo } from '../scripts/lib/io.ts';
import { readPage } from '../scripts/model/page.ts';
import { importRunbookFile } from '../scripts/model/runbooks.ts';
import { bind } from '../scripts/runbook/bind.ts';
import { main } from '../scripts/runbook/cli.ts';

/**
 * `npm run runbook -- new PAGE` without a cluster: the ids it gives the MetalLB page (step ids and
 * figures removed), the runbook it writes binds on the first try, and bad input writes nothing.
 * The scaffolded runbook passing on a real sandbox is in e2e-update.test.ts.
 */
const PAGE = 'src/content/docs/appendix/metallb.md';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runbook-scaffold-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The MetalLB page with every `step=`, `of=` and `data-step=` taken out. */
function withoutIds(source: string): string {
  return source.replace(/ (step|of|data-step)="[^"]*"/g, '');
}

async function run(argv: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo({ PATH: process.env.PATH, ...env });
  let code: number;
  try {
    code = await main(argv, io);
  } catch (error) {
    const f = formatError(error);
    io.err(f.text);
    code = f.exitCode;
  }
  return { code, out: io.stdout(), err: io.stderr() };
}

function copy(name: string, text: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('runbook new: the images the page installs', () => {
  it('declares the images of the manifests the page applies, with the build another runbook declares, and names the rest as TODO', async () => {
    const { testMirror } = await import('./helpers/sandbox.ts');
    const manifest = path.join(tmp, 'other-app.yaml');
    fs.writeFileSync(manifest, 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: app }\nspec:\n  selector: { matchLabels: { app: a } }\n  template:\n    metadata: { labels: { app: a } }\n    spec:\n      containers:\n      - name: app\n        image: example.com/app:v1\n');
    const page = copy('images.md', `${withoutIds(fs.readFileSync(PAGE, 'utf8'))}\n## 다른 앱\n\n\`\`\`bash\nkubectl apply -f other-app.yaml\n\`\`\`\n`);
    const file = path.join(tmp, 'images.ts');
    const r = await run(['new', page, '--runbook', file], { RUNBOOK_MIRROR: testMirror() });
    expect(r.code, r.err).toBe(0);
    const runbook = await importRunbookFile(file);
    const metallb = (await import('../runbooks/metallb.ts')).default;
    // In the manifest's order (the speaker DaemonSet comes first there).
    expect(runbook.images).toHaveLength(2);
    expect(runbook.images).toEqual(expect.arrayContaining(metallb.images!));
    expect(fs.readFileSync(file, 'utf8')).toContain('// TODO: 매니페스트가 쓰는 이미지 example.com/app:v1 를 빌드할 Go 모듈을');
  });
});

describe('runbook new', () => {
  it('gives every fence and linked figure a step id from its heading, and writes a runbook that binds on the first try', async () => {
    const original = fs.readFileSync(PAGE, 'utf8');
    const bare = withoutIds(original);
    const page = copy('metallb.md', bare);
    const file = path.join(tmp, 'metallb.ts');
    const r = await run(['new', page, '--runbook', file]);
    expect(r.err).not.toContain('✗');
    expect(r.code).toBe(0);
    expect(r.out).toContain('단계 22개 (실행 13, 파일 1, 편집 4, 수동 확인 4), 대역 서비스 4개.');
    const scaffolded = fs.readFileSync(page, 'utf8');
    // Only fence and figure lines changed, by exactly the ids added.
    expect(withoutIds(scaffolded)).toBe(bare);
    const ids = readPage(page).blocks.map((b) => `${b.id}${b.of ? ` of=${b.of}` : ''}`);
    expect(ids).toEqual([
      'preparation/get', 'preparation/get-output of=preparation/get', 'preparation/apply', 'preparation/apply-output of=preparation/apply',
      'metallb/apply', 'metallb/apply-output of=metallb/apply', 'metallb/apply-output-2 of=metallb/apply',
      'manifest/get', 'manifest/get-output of=manifest/get', 'metallb-config-yaml/file', 'metallb-config-yaml/apply', 'metallb-config-yaml/apply-output of=metallb-config-yaml/apply',
      ...['kubeflow', 'minio', 'mlflow', 'grafana'].flatMap((d) => [`${d}-dashboard/get`, `${d}-dashboard/get-output of=${d}-dashboard/get`, `${d}-dashboard/edit`, `${d}-dashboard/edit-spec of=${d}-dashboard/edit`, `${d}-dashboard/get-2`, `${d}-dashboard/get-2-output of=${d}-dashboard/get-2`]),
    ]);
    const runbook = await importRunbookFile(file);
    const binding = bind(runbook, readPage(page));
    expect(binding.steps.map((s) => s.step.kind).join(' ')).toBe('run run run run file run run edit run manual run edit run manual run edit run manual run edit run manual');
    expect(runbook.steps.find((s) => s.id === 'manifest/get')).toMatchObject({ output: { kind: 'table', keyMatch: 'generated-suffix', volatile: ['RESTARTS', 'AGE'], rows: { speaker: { onePerNodeOf: { namespace: 'metallb-system', daemonSet: 'speaker' } } } }, object: { kind: 'pods' }, eventually: { within: '3m' } });
    expect(runbook.steps.find((s) => s.id === 'minio-dashboard/get-2')).toMatchObject({ output: { kind: 'table', volatile: ['CLUSTER-IP', 'AGE'], ports: ['PORT(S)'] }, object: { kind: 'service' } });
    expect(runbook.steps.find((s) => s.id === 'preparation/apply')).toMatchObject({ writes: true, output: { kind: 'lines', mode: 'exact', stderr: /^Warning: /, applyVerbs: true } });
    // Two output blocks under one command: the second is a drift with the version the page names, left for the author.
    expect(runbook.steps.find((s) => s.id === 'metallb/apply')).toMatchObject({ drift: { since: '1.25', output: { block: 'metallb/apply-output-2' } } });
    expect(fs.readFileSync(file, 'utf8')).toContain('// TODO: 출력 블록이 둘입니다');
    // The manifests the page applies are pinned as runbooks/metallb.ts pins them (no mirror needed).
    expect(runbook.pins).toEqual((await import('../runbooks/metallb.ts')).default.pins);
    expect(runbook.fixtures).toEqual(['kubeflow', 'minio', 'mlflow', 'grafana'].map((d) => ({ kind: 'service', edit: `${d}-dashboard/edit`, spec: `${d}-dashboard/edit-spec`, resetWith: `${d}-dashboard/get` })));
    expect(readPage(page).anchors.map((a) => a.id)).toEqual(['kubeflow', 'minio', 'mlflow', 'grafana'].map((d) => `${d}-dashboard/browser`));
  });

  it.each([
    ['an unknown page', () => ['new', path.join(tmp, 'nope.md')], 2, '페이지가 없습니다', 'UNKNOWN_PAGE'],
    ['a page that already has step ids', () => ['new', copy('with-ids.md', fs.readFileSync(PAGE, 'utf8')), '--runbook', path.join(tmp, 'with-ids.ts')], 2, '이미 step id 가 있습니다', 'PAGE_HAS_STEP_IDS'],
    ['a runbook file that already exists', () => ['new', copy('exists.md', withoutIds(fs.readFileSync(PAGE, 'utf8')))], 2, '런북 파일이 이미 있습니다: ', 'RUNBOOK_EXISTS'],
    ['an output block with no command above it', () => ['new', copy('orphan.md', '# t\n\n## A\n\n```text\nhello\n```\n'), '--runbook', path.join(tmp, 'orphan.ts')], 2, '위에 명령 블록이 없는 text 블록', 'SCAFFOLD'],
  ])('%s: a Korean message naming it, exit 2, nothing written', async (_name, argv, code, message, errorCode) => {
    const args = argv();
    const page = args[1] ?? '';
    const before = fs.existsSync(page) ? fs.readFileSync(page, 'utf8') : undefined;
    const runbooks = fs.readdirSync('runbooks');
    const listing = fs.readdirSync(tmp).sort();
    const r = await run(args);
    expect(r.code).toBe(code);
    expect(r.err).toContain(message);
    expect(r.err).toContain(`[${errorCode}]`);
    expect(r.err).toContain('힌트:');
    if (before !== undefined) expect(fs.readFileSync(page, 'utf8')).toBe(before);
    expect(fs.readdirSync('runbooks')).toEqual(runbooks);
    expect(fs.readdirSync(tmp).sort()).toEqual(listing);
  });
});
