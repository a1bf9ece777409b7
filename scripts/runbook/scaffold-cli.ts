import fs from 'node:fs';
import path from 'node:path';
import { parseCommand } from '../lib/args.ts';
import { UsageError } from '../lib/errors.ts';
import type { Io } from '../lib/io.ts';
import { projectRoot } from '../lib/paths.ts';
import { frontmatterOf, parsePage } from '../model/page.ts';
import type { OutputRule, Runbook, Step } from '../model/runbook.ts';
import { bind } from './bind.ts';
import { scaffoldInputs } from './scaffold-images.ts';
import { availableRunbooks, importRunbook } from '../model/runbooks.ts';
import { scaffold, slug } from './scaffold.ts';

const command = {
  meta: {
    name: 'runbook new',
    description: 'step id 가 없는 페이지의 모든 블록에 step id 를 붙이고, 블록마다 단계를 둔 런북 파일을 만듭니다.',
  },
  args: {
    page: {
      type: 'positional',
      description: '페이지 파일 (예: src/content/docs/appendix/metallb.md)',
      required: false,
    },
    name: { type: 'string', description: '런북 이름 (기본: frontmatter 의 runbook.name, 없으면 파일 이름)' },
    runbook: { type: 'string', description: '쓸 런북 파일 (기본: runbooks/<이름>.ts)' },
  },
} as const;

/** `npm run runbook -- new PAGE [--name NAME] [--runbook FILE]`: checks everything first, then writes both files or neither. */
export async function main(argv: string[], io: Io): Promise<number> {
  const args = await parseCommand(argv, command, io);
  if (!args) return 0;
  const { pageFile, source, name, out } = targets(args, io);
  const shownOut = path.relative(io.cwd, out) || out;
  const shownPage = path.relative(projectRoot, pageFile) || pageFile;
  const made = scaffold(source, shownPage, name);
  const parsed = parsePage(made.source, shownPage);
  const mirror = io.env.RUNBOOK_MIRROR ? path.resolve(io.cwd, io.env.RUNBOOK_MIRROR) : undefined;
  const known = await Promise.all(availableRunbooks(projectRoot).map((n) => importRunbook(projectRoot, n)));
  const codes = new Map(parsed.blocks.map((b) => [b.id, b.code]));
  const inputs = scaffoldInputs(made.steps, codes, mirror, known, path.dirname(pageFile));
  const runbook: Runbook = {
    name,
    page: posix(path.relative(projectRoot, pageFile)),
    fixtures: made.fixtures,
    steps: made.steps,
    ...(inputs.images.length > 0 ? { images: inputs.images } : {}),
    ...(Object.keys(inputs.pins).length > 0 ? { pins: inputs.pins } : {}),
  };
  // The promise of `new`: what it writes binds. Checked before anything is written.
  bind(runbook, parsed);
  const model = posix(path.relative(path.dirname(out), path.join(projectRoot, 'scripts', 'model')));
  writeBoth([
    [out, renderRunbook(runbook, made.todo, model, shownPage, inputs)],
    [pageFile, made.source],
  ]);
  const count = (k: Step['kind']) => made.steps.filter((s) => s.kind === k).length;
  io.out(
    `${shownPage}: 블록과 그림에 step id 를 붙였습니다.\n${shownOut}: 단계 ${made.steps.length}개 (실행 ${count('run')}, 파일 ${count('file')}, 편집 ${count('edit')}, 수동 확인 ${count('manual')}), 대역 서비스 ${made.fixtures.length}개.\n`,
  );
  if (made.frontmatter)
    io.out(
      `${shownPage}: frontmatter 에 runbook: { name: ${name} } 와 검증할 Kubernetes 버전을 적었습니다 (배지가 이것을 읽습니다). 버전을 확인하세요.\n`,
    );
  for (const [id, note] of made.todo) io.out(`  TODO ${id}: ${note}\n`);
  if (made.guesses.length > 0)
    io.out(
      `짐작한 것 (펜스 언어가 아니라 블록의 내용과 자리로 정했습니다. 확인하세요):\n${made.guesses.map((g) => `  ${g}\n`).join('')}`,
    );
  const run = args.runbook ? `--runbook ${shownOut}` : name;
  io.err(
    `다음: 제목과 규칙을 다듬고 npm run runbook -- ${run} --dry-run 으로 확인한 뒤 샌드박스에서 실행하세요: npm run runbook -- ${run}\n`,
  );
  return 0;
}

const posix = (file: string) => file.split(path.sep).join('/');

/** The page to read, the runbook's name and the file to write, each checked. */
function targets(args: { page?: string; name?: string; runbook?: string }, io: Io) {
  if (!args.page)
    throw new UsageError(
      'NO_PAGE',
      'step id 를 붙일 페이지를 주세요.',
      '예: npm run runbook -- new src/content/docs/appendix/metallb.md',
    );
  const pageFile = path.resolve(io.cwd, args.page);
  if (!fs.statSync(pageFile, { throwIfNoEntry: false })?.isFile())
    throw new UsageError(
      'UNKNOWN_PAGE',
      `페이지가 없습니다: ${args.page}`,
      '페이지 경로를 확인하세요. 예: npm run runbook -- new src/content/docs/appendix/metallb.md',
    );
  const source = fs.readFileSync(pageFile, 'utf8');
  const fm = frontmatterOf(source) as { runbook?: { name?: unknown } };
  const name =
    args.name ??
    (typeof fm.runbook?.name === 'string' ? fm.runbook.name : slug(path.basename(pageFile).replace(/\.mdx?$/, '')));
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(name))
    throw new UsageError(
      'BAD_RUNBOOK_NAME',
      `런북 이름 "${name}" 을 쓸 수 없습니다. 소문자, 숫자, '-' 만 씁니다.`,
      '--name 이름 으로 정하세요. 예: --name metallb',
    );
  const out = path.resolve(io.cwd, args.runbook ?? path.join(projectRoot, 'runbooks', `${name}.ts`));
  if (fs.existsSync(out))
    throw new UsageError(
      'RUNBOOK_EXISTS',
      `런북 파일이 이미 있습니다: ${path.relative(io.cwd, out) || out}. 덮어쓰지 않습니다.`,
      `다른 이름(--name) 이나 파일(--runbook 경로.ts)을 주거나, 있는 런북을 쓰세요: npm run runbook -- ${name} --dry-run`,
    );
  return { pageFile, source, name, out };
}

/** Both files or neither: temp files beside each, then the renames. */
function writeBoth(files: Array<[file: string, text: string]>): void {
  const tmp = files.map(([file]) => `${file}.${process.pid}.tmp`);
  try {
    for (const [i, [file, text]] of files.entries()) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(tmp[i]!, text);
    }
  } catch (error) {
    for (const t of tmp) fs.rmSync(t, { force: true });
    throw error;
  }
  for (const [i, [file]] of files.entries()) fs.renameSync(tmp[i]!, file);
}

/** JavaScript literal in the runbooks' style: single quotes, regex literals, unquoted keys where possible. */
function lit(v: unknown): string {
  if (v instanceof RegExp) return String(v);
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(lit).join(', ')}]`;
  if (v && typeof v === 'object' && 'kind' in v && 'block' in v) {
    const { kind, block, ...options } = v as OutputRule; // an output rule as its helper: `lines('id', { … })`
    return `${kind}(${lit(block)}, ${lit(options)})`;
  }
  if (v && typeof v === 'object')
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : lit(k)}: ${lit(x)}`)
      .join(', ')} }`;
  return String(v);
}

function step(s: Step): string {
  if (s.kind === 'file' || s.kind === 'manual') return `${s.kind}(${lit(s.id)}, ${lit(s.title)})`;
  if (s.kind === 'edit') return `edit(${lit(s.id)}, ${lit(s.title)}, ${lit(s.spec)})`;
  // The output rule first, the drift last (runStep sets it last).
  const { kind: _k, id, title, output, ...rest } = s;
  const options = Object.entries(output ? { output, ...rest } : rest).map(([k, v]) => `${k}: ${lit(v)}`);
  return `run(${lit(id)}, ${lit(title)}${options.length > 0 ? `, {\n      ${options.join(',\n      ')},\n    }` : ''})`;
}

function renderRunbook(
  runbook: Runbook,
  todo: Map<string, string>,
  model: string,
  page: string,
  { undeclared, unpinned }: { undeclared: string[]; unpinned: string[] },
): string {
  const helpers = new Set(['defineRunbook', ...runbook.steps.map((s) => s.kind)]);
  if (runbook.fixtures.length > 0) helpers.add('serviceFixture');
  if (runbook.images?.length) helpers.add('goImage');
  for (const s of runbook.steps)
    if (s.kind === 'run') for (const r of [s.output, s.drift?.output]) if (r) helpers.add(r.kind);
  const from = model.startsWith('.') ? model : `./${model}`;
  const steps = runbook.steps.map((s) => `${todo.has(s.id) ? `    // TODO: ${todo.get(s.id)}\n` : ''}    ${step(s)},`);
  const fixtures = runbook.fixtures.map(
    (f) => `    serviceFixture(${lit(f.edit)}, ${lit(f.spec)}, ${lit(f.resetWith)}),`,
  );
  const images = [
    ...(runbook.images ?? []).map(
      ({ image, title, ...build }) => `goImage(${lit(image)}, ${lit(title)}, ${lit(build)}),`,
    ),
    ...undeclared.map(
      (i) =>
        `// TODO: 매니페스트가 쓰는 이미지 ${i} 를 빌드할 Go 모듈을 goImage(이미지, 제목, { module, version, package, entrypoint }) 로 밝히세요 (kwok 에서 파드로 실행하려면 runOnSimulatedNodes: true).`,
    ),
  ];
  const pins = [
    ...Object.entries(runbook.pins ?? {}).map(([url, sha]) => `${lit(url)}: ${lit(sha)},`),
    ...unpinned.map(
      (url) =>
        `// TODO: ${url} 의 내용을 검토한 뒤 sha256 을 적으세요 (없으면 그 단계는 실패하고, 받은 파일의 sha256 을 알려 줍니다).`,
    ),
  ];
  const section = (why: string, name: string, [open, close]: string, lines: string[]) =>
    lines.length > 0
      ? `\n  // ${why}\n  ${name}: ${open}\n${lines.map((l) => `    ${l}`).join('\n')}\n  ${close},`
      : '';
  return `/**
 * Runbook for ${page}, in the page's order, made by \`npm run runbook -- new\`.
 * Every command comes from the page by step id; refine the titles, matching rules and waits.
 */
import { ${[...helpers].sort().join(', ')} } from '${from}/define.ts';

export default defineRunbook({
  name: ${lit(runbook.name)},
  page: ${lit(runbook.page)},
  // Stand-ins for the Services the edits change, made from the page's edit blocks only when absent (an earlier chapter makes them).
  fixtures: [${fixtures.length > 0 ? `\n${fixtures.join('\n')}\n  ` : ''}],${section(
    "The images the page's manifests use: built from their source (another runbook's declaration where one exists), never pulled here.",
    'images',
    '[]',
    images,
  )}${section(
    "The sha256 of every remote file the commands read: the mirror's copy and a download are both checked against it.",
    'pins',
    '{}',
    pins,
  )}
  steps: [
${steps.join('\n')}
  ],
});
`;
}
