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
import { projectRoot } from '../scripts/lib/paths.ts';
import { blockRole, kubectlVerbs, longRunning, looksLikeOutput } from '../scripts/runbook/blocks.ts';
import { matchLines } from '../scripts/runbook/match/lines.ts';
import { asPublished } from './helpers/published.ts';

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

async function run(
  argv: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ code: number; out: string; err: string }> {
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
    fs.writeFileSync(
      manifest,
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: app }\nspec:\n  selector: { matchLabels: { app: a } }\n  template:\n    metadata: { labels: { app: a } }\n    spec:\n      containers:\n      - name: app\n        image: example.com/app:v1\n',
    );
    const page = copy(
      'images.md',
      `${withoutIds(fs.readFileSync(PAGE, 'utf8'))}\n## 다른 앱\n\n\`\`\`bash\nkubectl apply -f other-app.yaml\n\`\`\`\n`,
    );
    const file = path.join(tmp, 'images.ts');
    const r = await run(['new', page, '--runbook', file], { RUNBOOK_MIRROR: testMirror() });
    expect(r.code, r.err).toBe(0);
    const runbook = await importRunbookFile(file);
    const metallb = (await import('../runbooks/metallb.ts')).default;
    // In the manifest's order (the speaker DaemonSet comes first there).
    expect(runbook.images).toHaveLength(2);
    expect(runbook.images).toEqual(expect.arrayContaining(metallb.images!));
    expect(fs.readFileSync(file, 'utf8')).toContain(
      '// TODO: 매니페스트가 쓰는 이미지 example.com/app:v1 를 빌드할 Go 모듈을',
    );
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
      'preparation/get',
      'preparation/get-output of=preparation/get',
      'preparation/apply',
      'preparation/apply-output of=preparation/apply',
      'metallb/apply',
      'metallb/apply-output of=metallb/apply',
      'metallb/apply-output-2 of=metallb/apply',
      'manifest/get',
      'manifest/get-output of=manifest/get',
      'metallb-config-yaml/file',
      'metallb-config-yaml/apply',
      'metallb-config-yaml/apply-output of=metallb-config-yaml/apply',
      ...['kubeflow', 'minio', 'mlflow', 'grafana'].flatMap((d) => [
        `${d}-dashboard/get`,
        `${d}-dashboard/get-output of=${d}-dashboard/get`,
        `${d}-dashboard/edit`,
        `${d}-dashboard/edit-spec of=${d}-dashboard/edit`,
        `${d}-dashboard/get-2`,
        `${d}-dashboard/get-2-output of=${d}-dashboard/get-2`,
      ]),
    ]);
    const runbook = await importRunbookFile(file);
    const binding = bind(runbook, readPage(page));
    expect(binding.steps.map((s) => s.step.kind).join(' ')).toBe(
      'run run run run file run run edit run manual run edit run manual run edit run manual run edit run manual',
    );
    expect(runbook.steps.find((s) => s.id === 'manifest/get')).toMatchObject({
      output: {
        kind: 'table',
        keyMatch: 'generated-suffix',
        volatile: ['RESTARTS', 'AGE'],
        rows: { speaker: { onePerNodeOf: { namespace: 'metallb-system', daemonSet: 'speaker' } } },
      },
      object: { kind: 'pods' },
      eventually: { within: '3m' },
    });
    expect(runbook.steps.find((s) => s.id === 'minio-dashboard/get-2')).toMatchObject({
      output: { kind: 'table', volatile: ['CLUSTER-IP', 'AGE'], ports: ['PORT(S)'] },
      object: { kind: 'service' },
    });
    expect(runbook.steps.find((s) => s.id === 'preparation/apply')).toMatchObject({
      writes: true,
      output: { kind: 'lines', mode: 'exact', stderr: /^Warning: /, applyVerbs: true },
    });
    // Two output blocks under one command: the second is a drift with the version the page names, left for the author.
    expect(runbook.steps.find((s) => s.id === 'metallb/apply')).toMatchObject({
      drift: { since: '1.25', output: { block: 'metallb/apply-output-2' } },
    });
    expect(fs.readFileSync(file, 'utf8')).toContain('// TODO: 출력 블록이 둘입니다');
    // The manifests the page applies are pinned as runbooks/metallb.ts pins them (no mirror needed).
    expect(runbook.pins).toEqual((await import('../runbooks/metallb.ts')).default.pins);
    expect(runbook.fixtures).toEqual(
      ['kubeflow', 'minio', 'mlflow', 'grafana'].map((d) => ({
        kind: 'service',
        edit: `${d}-dashboard/edit`,
        spec: `${d}-dashboard/edit-spec`,
        resetWith: `${d}-dashboard/get`,
      })),
    );
    expect(readPage(page).anchors.map((a) => a.id)).toEqual(
      ['kubeflow', 'minio', 'mlflow', 'grafana'].map((d) => `${d}-dashboard/browser`),
    );
  });

  it.each([
    ['an unknown page', () => ['new', path.join(tmp, 'nope.md')], 2, '페이지가 없습니다', 'UNKNOWN_PAGE'],
    [
      'a page that already has step ids',
      () => ['new', copy('with-ids.md', fs.readFileSync(PAGE, 'utf8')), '--runbook', path.join(tmp, 'with-ids.ts')],
      2,
      '이미 step id 가 있습니다',
      'PAGE_HAS_STEP_IDS',
    ],
    [
      'a runbook file that already exists',
      () => ['new', copy('exists.md', withoutIds(fs.readFileSync(PAGE, 'utf8')))],
      2,
      '런북 파일이 이미 있습니다: ',
      'RUNBOOK_EXISTS',
    ],
    [
      'an output block with no command above it',
      () => [
        'new',
        copy('orphan.md', '# t\n\n## A\n\n```text\nhello\n```\n'),
        '--runbook',
        path.join(tmp, 'orphan.ts'),
      ],
      2,
      '위에 명령 블록이 없는 text 블록',
      'SCAFFOLD',
    ],
    [
      'a file written after the command that reads it',
      () => [
        'new',
        copy(
          'late-file.md',
          '# t\n\n## A\n\n```bash\nkubectl apply -f app.yaml\n```\n\n다음을 app.yaml 로 저장하세요.\n\n```yaml\nkind: ConfigMap\n```\n',
        ),
        '--runbook',
        path.join(tmp, 'late-file.ts'),
      ],
      2,
      'late-file.md:11: app.yaml 을 쓰는 파일 블록이 그것을 읽는 명령 a/apply (',
      'SCAFFOLD',
    ],
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

describe('runbook new reads a guide as a person does (issue 25)', () => {
  /** The plan lines of the commands a dry-run would run (`$ …`), without their continuation lines. */
  const planned = (plan: string) =>
    plan
      .split('\n')
      .filter((l) => /^\s+\$ /.test(l))
      .map((l) => l.trim().slice(2));

  it('the MetalLB appendix as published (outputs fenced bash, screenshots as ![]()): outputs by their text, images as checks, the guesses with file:line', async () => {
    const page = copy('published.md', asPublished(fs.readFileSync(PAGE, 'utf8')));
    const file = path.join(tmp, 'published.ts');
    const r = await run(['new', page, '--runbook', file]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('단계 22개 (실행 13, 파일 1, 편집 4, 수동 확인 4), 대역 서비스 4개.');
    const shown = path.relative(projectRoot, page);
    expect(r.out).toContain(
      `${shown}:52: \`\`\`bash 블록을 preparation/get 의 출력 preparation/get-output 로 두었습니다 (실행하지 않습니다): YAML (키: 값 줄).`,
    );
    expect(r.out).toContain(
      `${shown}:143: \`\`\`bash 블록을 manifest/get 의 출력 manifest/get-output 로 두었습니다 (실행하지 않습니다): kubectl 표`,
    );
    const scaffolded = readPage(page);
    const runbook = await importRunbookFile(file);
    const binding = bind(runbook, scaffolded);
    expect(binding.steps.map((s) => s.step.kind).join(' ')).toBe(
      'run run run run file run run edit run manual run edit run manual run edit run manual run edit run manual',
    );
    // Every command is a command: no output block runs.
    for (const s of binding.steps)
      if (s.step.kind === 'run') expect([s.step.id, looksLikeOutput(s.block!.code)]).toEqual([s.step.id, undefined]);
    expect(runbook.steps.find((s) => s.id === 'metallb/apply')).toMatchObject({
      drift: { since: '1.25', output: { block: 'metallb/apply-output-2' } },
    });
    // Each screenshot carries its step id in its title, and the page reader finds it after the link the text gives.
    const source = fs.readFileSync(page, 'utf8');
    expect(source).toContain(
      '![login-ui: minio-service 설정 후 minio 로그인 화면](./img/login-after-minio-setting.png "step=minio-dashboard/browser")',
    );
    expect(scaffolded.anchors.map((a) => [a.id, a.links])).toEqual([
      ['kubeflow-dashboard/browser', ['http://192.168.35.100']],
      ['minio-dashboard/browser', ['http://192.168.35.101:9000']],
      ['mlflow-dashboard/browser', ['http://192.168.35.102:5000']],
      ['grafana-dashboard/browser', ['http://192.168.35.103:80']],
    ]);
    // The reads of state that comes later wait, as the hand-written runbook does.
    for (const d of ['kubeflow', 'minio', 'mlflow', 'grafana'])
      expect(runbook.steps.find((s) => s.id === `${d}-dashboard/get-2`)).toMatchObject({
        eventually: { within: '1m' },
      });
    expect(runbook.steps.find((s) => s.id === 'preparation/apply')).not.toHaveProperty('eventually');
  });

  it("an MLflow-style page: the dry-run runs no output as a command, both port-forwards run in the background, helm's time and pod suffixes are left uncompared", async () => {
    const page = copy('mlflow.md', fs.readFileSync('test/fixtures/scaffold/mlflow.md', 'utf8'));
    const file = path.join(tmp, 'mlflow.ts');
    const made = await run(['new', page, '--runbook', file]);
    expect(made.code, made.err).toBe(0);
    expect(made.out).toContain('frontmatter 에 runbook: { name: mlflow }');
    expect(fs.readFileSync(page, 'utf8')).toMatch(
      /^---\nrunbook:\n {2}name: mlflow\n {2}kubernetes: \["1\.\d+"\]\ntitle:/,
    );
    expect(made.out).toContain(
      '앞의 글이 이 블록을 postgresql.yaml 로 저장하라고 해서 파일 단계 postgresql-db/file 로 두고',
    );
    expect(made.out).toContain(
      'mlflow.md:47: helm-mlflow-tracking-server/helm: 출력에서 실행마다 다른 부분(helm 의 LAST DEPLOYED 시각)은 비교하지 않습니다.',
    );
    expect(made.out).toContain(
      'mlflow.md:74: page/get: 출력에서 실행마다 다른 부분(파드 이름의 생성 접미사, 나이(AGE), 재시작 횟수(RESTARTS))은 비교하지 않습니다.',
    );
    expect(made.out).toContain(
      'mlflow.md:70: page/get: 나중에 참이 되는 상태를 읽는 명령이라 페이지의 출력이 될 때까지 다시 실행합니다 (최대 3분).',
    );
    const dry = await run(['--runbook', file, '--dry-run']);
    expect(dry.code, dry.err).toBe(0);
    expect(planned(dry.out)).toEqual([
      'kubectl -n mlflow-system apply -f postgresql.yaml',
      'helm install mlflow-server mlflow/mlflow-server --namespace mlflow-system --version 0.2.0',
      'kubectl get configmap mlflow-server-env -n mlflow-system -o yaml | grep MLFLOW_S3_ENDPOINT_URL',
      'kubectl get pods -n mlflow-system | grep mlflow',
      'kubectl port-forward svc/mlflow-server-service -n mlflow-system 5000:5000',
      'kubectl port-forward svc/minio-service -n kubeflow 9000:9000',
    ]);
    expect(dry.out).not.toContain('경고:');
    expect(dry.out.match(/백그라운드: 127\.0\.0\.1:(5000|9000) 가 응답하면/g)).toHaveLength(2);
    const runbook = await importRunbookFile(file);
    expect(runbook.steps.map((s) => `${s.kind} ${s.id}`)).toEqual([
      'file postgresql-db/file',
      'run postgresql-db/apply',
      'run helm-mlflow-tracking-server/helm',
      'run helm-mlflow-tracking-server/get',
      'run page/get',
      'run mlflow/port-forward',
      'manual mlflow/browser',
      'run minio/port-forward',
      'manual minio/browser',
    ]);
    expect(
      runbook.steps
        .filter((s) => s.kind === 'run' && s.background)
        .map((s) => [s.id, s.kind === 'run' && s.background]),
    ).toEqual([
      ['mlflow/port-forward', { port: 5000 }],
      ['minio/port-forward', { port: 9000 }],
    ]);
    expect(readPage(page).anchors.map((a) => [a.id, a.links])).toEqual([
      ['mlflow/browser', ['http://localhost:5000']],
      ['minio/browser', ['http://localhost:9000']],
    ]);
    // The volatile parts, and the lines still compared around them.
    const rule = (id: string) => {
      const s = runbook.steps.find((x) => x.id === id);
      return s?.kind === 'run' && s.output?.kind === 'lines' ? s.output : undefined;
    };
    const helm = rule('helm-mlflow-tracking-server/helm')!;
    const page2 = fs.readFileSync('test/fixtures/scaffold/mlflow.md', 'utf8');
    const helmPage = /NAME: mlflow-server[\s\S]*?TEST SUITE: None/.exec(page2)![0];
    expect(
      matchLines(helm, helmPage, {
        stdout: helmPage.replace('Sat Dec 18 22:02:13 2021', 'Mon Dec  7 04:30:00 2026'),
        stderr: '',
      }).ok,
    ).toBe(true);
    expect(
      matchLines(helm, helmPage, { stdout: helmPage.replace('STATUS: deployed', 'STATUS: failed'), stderr: '' }).ok,
    ).toBe(false);
    const pods = rule('page/get')!;
    const podsPage =
      'mlflow-server-6b8c9d7f5d-x2k4q   1/1     Running   0          3m18s\npostgresql-mlflow-7b9bc8c79f-srkh7   1/1     Running   1          6m42s';
    expect(
      matchLines(pods, podsPage, {
        stdout:
          'mlflow-server-5f6b7c8d9c-bq7zt   1/1   Running   3 (10s ago)   12s\npostgresql-mlflow-6c5d4b8f9b-wxk2p   1/1   Running   0   40s\n',
        stderr: '',
      }).ok,
    ).toBe(true);
    expect(
      matchLines(pods, podsPage, {
        stdout:
          'mlflow-server-5f6b7c8d9c-bq7zt   0/1   CrashLoopBackOff   3   12s\npostgresql-mlflow-6c5d4b8f9b-wxk2p   1/1   Running   0   40s\n',
        stderr: '',
      }).ok,
    ).toBe(false);
  });

  it("alternatives, an interactive command and a kubectl edit with no marked change are a person's steps, never plain commands; the runbook still binds", async () => {
    const page = copy(
      'alternatives.md',
      [
        '---',
        'title: t',
        '---',
        '',
        '## 설치 - Manifest',
        '',
        '```bash',
        'kubectl apply -f app.yaml',
        '```',
        '',
        '## 설치 - Helm',
        '',
        '```bash',
        'helm install app repo/app',
        '```',
        '',
        '```bash',
        'NAME: app',
        'STATUS: deployed',
        '```',
        '',
        '## 확인',
        '',
        '```bash',
        'kubectl exec -it deploy/app -- sh',
        '```',
        '',
        '```bash',
        'kubectl edit deploy/app -n apps',
        '```',
        '',
      ].join('\n'),
    );
    const file = path.join(tmp, 'alternatives.ts');
    const r = await run(['new', page, '--runbook', file]);
    expect(r.code, r.err).toBe(0);
    const runbook = await importRunbookFile(file);
    expect(runbook.steps.map((s) => `${s.kind} ${s.id}`)).toEqual([
      'run manifest/apply',
      'manual helm/helm',
      'manual page/exec',
      'manual page/edit',
    ]);
    bind(runbook, readPage(page));
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain(
      '// TODO: 다른 설치 방법 설치 - Helm (검증하는 방법: 설치 - Manifest) 이라 검증하지 않습니다',
    );
    expect(text).toContain('// TODO: 터미널에서 입력을 받습니다 (-it)');
    expect(text).toContain('// TODO: kubectl edit 는 편집기를 엽니다');
  });

  it('YAML the next section tells the reader to save is a file written before the command that applies it, not the output of the command above', async () => {
    const page = copy(
      'save.md',
      [
        '---',
        'title: t',
        '---',
        '',
        '## 확인',
        '',
        '```bash',
        'kubectl get ns',
        '```',
        '',
        '## 설정',
        '',
        '다음을 `app.yaml` 로 저장하세요.',
        '',
        '```yaml',
        'apiVersion: v1',
        'kind: ConfigMap',
        '```',
        '',
        '```bash',
        'kubectl apply -f app.yaml',
        '```',
        '',
      ].join('\n'),
    );
    const file = path.join(tmp, 'save.ts');
    const r = await run(['new', page, '--runbook', file]);
    expect(r.code, r.err).toBe(0);
    const runbook = await importRunbookFile(file);
    expect(runbook.steps.map((s) => `${s.kind} ${s.id}`)).toEqual(['run page/get', 'file page/file', 'run page/apply']);
    expect(fs.readFileSync(page, 'utf8')).toContain('```yaml step="page/file" title="app.yaml"');
  });

  it("the dry-run warns, with file:line, where a command step's block reads as output", async () => {
    const page = copy(
      'warn.md',
      '---\ntitle: t\n---\n\n## A\n\n```bash step="a/get"\nkubectl get pods\n```\n\n```bash step="a/table"\nNAME   READY   STATUS\napp    1/1     Running\n```\n',
    );
    const file = path.join(tmp, 'warn.ts');
    fs.writeFileSync(
      file,
      `import { defineRunbook, run } from '${path.resolve('scripts/model/define.ts')}';\nexport default defineRunbook({ name: 'warn', page: '${path.relative(projectRoot, page)}', fixtures: [], steps: [run('a/get', 'get'), run('a/table', 'table')] });\n`,
    );
    const dry = await run(['--runbook', file, '--dry-run']);
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toContain(
      `경고: 이 명령 블록은 kubectl 표 (머리글 NAME READY STATUS…) 처럼 보입니다. 출력이라면 앞 명령의 출력 블록(of=)으로 두세요 (${path.relative(projectRoot, page)}:11)`,
    );
    expect(dry.out.match(/경고:/g)).toHaveLength(1);
  });
});

describe('what a block holds, by its text', () => {
  it.each<[string, string, 'command' | 'output']>([
    [
      'bash',
      'NAME                          READY   STATUS    RESTARTS   AGE\ncontroller-7dcc8764f4-8n92q   1/1     Running   1          1m',
      'output',
    ],
    ['bash', 'namespace/mlflow-system created\nservice/minio unchanged', 'output'],
    ['bash', 'strictARP: false', 'output'],
    ['bash', 'apiVersion: v1\nkind: ConfigMap', 'output'],
    ['bash', 'NAME: mlflow\nLAST DEPLOYED: Sat Dec 18 22:02:13 2021\nSTATUS: deployed', 'output'],
    ['bash', 'error: the server doesn\'t have a resource type "foo"', 'output'],
    ['bash', 'mlflow-server-6b8c9d7f5d-x2k4q   1/1     Running   0          3m18s', 'output'],
    ['bash', '# check\nkubectl get pods -n x | grep y', 'command'],
    ['bash', 'cat <<EOF > x.yaml\napiVersion: v1\nEOF', 'command'],
    ['test', 'kubectl get configmap x -o yaml', 'command'],
    ['text', '$ helm repo add x https://example.com', 'command'],
    ['text', 'Hello from the server', 'output'],
    ['yaml', 'kubectl: not-a-command', 'output'],
  ])('```%s %j is a %s', (lang, code, role) => {
    expect(blockRole(lang, code)).toBe(role);
  });

  it.each<[string, boolean]>([
    ['kubectl port-forward svc/x -n y 5000:5000', true],
    ['kubectl -n y port-forward svc/x 8080:80', true],
    ['kubectl logs -f deploy/x', true],
    ['kubectl get pods -w', true],
    ['kubectl proxy --port=8001', true],
    ["curl -s -w '%{http_code}' http://x", false],
    ['kubectl logs deploy/x', false],
    ['kubectl get pods | grep proxy', false],
  ])('%j keeps running: %s', (code, yes) => {
    expect(longRunning(code)).toBe(yes);
  });

  it.each<[string, string | undefined]>([
    ['kubectl -n mlflow-system apply -f x.yaml', 'apply'],
    ['kubectl --context=kind-x get pods', 'get'],
    ['kubectl --namespace kubeflow edit svc/x', 'edit'],
    ['helm install x y', undefined],
  ])('the kubectl verb of %j is %s', (line, verb) => {
    expect(kubectlVerbs(line)[0]).toBe(verb);
  });
});
