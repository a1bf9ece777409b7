import { MetaOptions } from '@expressive-code/core';
import type { Code, Heading, Html, Image } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { visit } from 'unist-util-visit';
import { DEFAULT_KUBERNETES } from '../cluster/provider.ts';
import { UsageError } from '../lib/errors.ts';
import { frontmatterOf, IMAGE_STEP, imagesOnly, markdownTree, STEP_ID } from '../model/page.ts';
import {
  blockRole,
  interactive,
  isTableHeader,
  kubectlVerbs,
  longRunning,
  looksLikeOutput,
  meaningful,
} from './blocks.ts';
import type { EditStep, LinesRule, ObjectRule, OutputRule, RunStep, ServiceFixture, Step } from '../model/runbook.ts';
import { EDIT_COMMAND } from './bind.ts';
import { durationLabel } from './context.ts';
import { GENERATED_SUFFIX, nameStem, parseTable } from './match/table.ts';
import { objectRuleProblems } from './objects.ts';

/**
 * `runbook new PAGE`: step ids in a page's fences and screenshots, and a runbook with one step per block, each block
 * read by its text and place as a person reads it (blocks.ts), never a cluster. Guesses are listed with file:line.
 */
interface Scaffold {
  /** The page with step ids; every other byte as it was. */
  source: string;
  steps: Step[];
  fixtures: ServiceFixture[];
  /** Per step id: what the author should look at (drift guessed, edit without a marked block). */
  todo: Map<string, string>;
  guesses: string[];
  /** Whether the page had no `runbook:` frontmatter and the scaffold wrote it. */
  frontmatter: boolean;
}

/** Columns that differ from cluster to cluster (compared as volatile by default). */
const VOLATILE = ['AGE', 'RESTARTS', 'CLUSTER-IP', 'IP', 'NODE', 'NOMINATED NODE', 'LAST SEEN', 'DURATION'];
/** Parts of a text line that differ from run to run, each used only when the block has one. */
const VOLATILE_PARTS: Array<[RegExp, string, string]> = [
  [/^LAST DEPLOYED: /m, '(?<=^LAST DEPLOYED: ).*', 'helm 의 LAST DEPLOYED 시각'],
  [new RegExp(GENERATED_SUFFIX, 'm'), GENERATED_SUFFIX, '파드 이름의 생성 접미사'],
  [/\s\d+[smhd](?:\d+[smh])?\s*$/m, '(?<=\\s)\\d+[smhd](?:\\d+[smh])?$', '나이(AGE)'],
  [/\bRunning\s+\d+\s/, '(?<=Running\\s+)\\d+(?: \\([^)]*\\))?(?=\\s)', '재시작 횟수(RESTARTS)'],
];
const WRITE_VERBS = new Set(
  'apply create delete patch replace edit label annotate scale set rollout expose run cordon drain taint'.split(' '),
);
const writesCluster = (code: string) =>
  kubectlVerbs(code).some((v) => WRITE_VERBS.has(v)) || /\bhelm\s+(install|upgrade|uninstall)\b/.test(code);
const APPLY_VERB = /^\S+\/\S+ (created|configured|unchanged)$/;
const FIGURE = /<figure\b([^>]*)>/;
/** A file the text before a block tells the reader to save it as. */
const FILE_NAME = /([\w.-]+\.(?:ya?ml|json|sh|conf|cfg|toml|env|txt|py))\b/;
const SAVE = /저장|작성|만드|만들|save|create|write/i;
/** Headings that name one of several ways to install the same thing. */
const ALTERNATIVE = /\b(manifest|kustomize|helm|operator|yaml)\b|매니페스트|헬름/i;

/** `1. MetalLB 를 설치합니다.` → `metallb`; `Kubeflow Dashboard` → `kubeflow-dashboard`; all-Korean → ''. */
export function slug(text: string): string {
  return text
    .replace(/^\s*\d+[.)]\s+/, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

interface Command {
  id: string;
  code: string;
  line: number;
  title: string;
  outputs: Array<{ id: string; code: string; line: number }>;
  edit: { spec: string } | undefined;
  /** The alternative section it stands in, declared unverified. */
  alternative: string | undefined;
}

type Item = { kind: 'command'; command: Command } | { kind: 'step'; step: Step; line: number };

/** The page read block by block as a person reads it, each block's step id written into `lines`. */
class PageScan {
  lines: string[];
  problems: string[] = [];
  guessed: Array<[number, string]> = [];
  items: Item[] = [];
  file: string;
  used = new Set<string>();
  headings: string[] = [];
  command: Command | undefined;
  links: string[] = [];
  /** The text between the previous block and this one (what introduces it). */
  before = '';
  alternatives = new Map<number, string[]>();
  alternative: { depth: number; name: string; verified: string } | undefined;

  constructor(source: string, file: string) {
    this.file = file;
    this.lines = source.split('\n');
    visit(markdownTree(source), (node, _index, parent) => {
      if (node.type === 'heading') this.heading(node);
      // A paragraph of images only keeps the links of the text before it (what the reader opens).
      else if (node.type === 'paragraph' && !imagesOnly(node)) {
        this.links = [];
        visit(node, 'link', (l) => void this.links.push(l.url));
        this.before += `\n${toString(node)}`;
      } else if (node.type === 'image') this.image(node);
      else if (node.type === 'html' && FIGURE.test(node.value)) this.figure(node);
      else if (node.type === 'code') this.code(node, parent?.type === 'root');
    });
  }

  unique(base: string): string {
    let id = base;
    for (let n = 2; this.used.has(id); n++) id = `${base}-${n}`;
    this.used.add(id);
    return id;
  }

  /** The slug of the nearest heading that has one. */
  section(): string {
    return slug(this.headings.findLast((h) => slug(h) !== '') ?? '') || 'page';
  }

  title(): string {
    const h = this.headings.at(-1);
    return h === undefined ? this.file : h.trim().replace(/[.。]$/, '');
  }

  guess(line: number, text: string): void {
    this.guessed.push([line, `${this.file}:${line}: ${text}`]);
  }

  problem(line: number | undefined, text: string): void {
    this.problems.push(`${this.file}:${line}: ${text}`);
  }

  setFence(line: number, id: string, of?: string, extra = '', lang?: string): void {
    const m = /^(\s*)(`{3,}|~{3,})(\S*)(.*)$/.exec(this.lines[line - 1] ?? '');
    if (!m) return;
    // A fence without a language gets `text`: otherwise its meta would be read as the language.
    this.lines[line - 1] =
      `${m[1]}${m[2]}${lang ?? (m[3] || 'text')} step="${id}"${of ? ` of="${of}"` : ''}${extra}${m[4]}`;
  }

  heading(h: Heading): void {
    const text = toString(h);
    this.headings.length = h.depth - 1;
    this.headings[h.depth - 1] = text;
    for (let i = 0; i < h.depth - 1; i++) this.headings[i] ??= '';
    this.command = undefined; // a block in another section is not the output of a command above it
    for (const d of [...this.alternatives.keys()]) if (d > h.depth) this.alternatives.delete(d);
    if (this.alternative && h.depth <= this.alternative.depth) this.alternative = undefined;
    if (!ALTERNATIVE.test(text)) return void this.alternatives.set(h.depth, []);
    const siblings = this.alternatives.get(h.depth) ?? [];
    if (siblings.length > 0) {
      this.alternative = { depth: h.depth, name: text, verified: siblings[0]! };
      this.guess(
        h.position?.start.line ?? 0,
        `"${text}" 를 "${siblings[0]}" 의 다른 방법으로 보고, 그 명령을 검증하지 않는 수동 단계로 두었습니다.`,
      );
    }
    this.alternatives.set(h.depth, [...siblings, text]);
  }

  screenshot(line: number, caption: string): string {
    const id = this.unique(`${this.section()}/${this.links.length > 0 ? 'browser' : 'screenshot'}`);
    const title = `${this.title()}: ${abbreviate(caption || this.links[0] || '그림')} 확인`;
    this.items.push({ kind: 'step', line, step: { kind: 'manual', id, title } });
    if (this.links.length === 0)
      this.guess(line, `그림 앞에 열어 볼 주소가 없어 ${id} 를 사람이 확인하는 단계로 두었습니다.`);
    return id;
  }

  /** The step id in the image's title: `![설명](./img/x.png "step=섹션/browser")`. */
  image(image: Image): void {
    const line = image.position?.start.line ?? 0;
    if (IMAGE_STEP.test(image.title ?? ''))
      return this.problem(line, `그림에 이미 step id 가 있습니다: "${image.title}"`);
    const id = this.screenshot(line, image.alt ?? '');
    const title = image.title ? `${image.title} step=${id}` : `step=${id}`;
    const text = this.lines[line - 1] ?? '';
    const at = text.indexOf(`](${image.url}`);
    if (at < 0)
      return this.problem(line, `그림 ${image.url} 의 위치를 찾지 못했습니다. 그림을 한 줄에 ![설명](경로) 로 쓰세요.`);
    const close = text.indexOf(')', at + 2 + image.url.length);
    const inner = text.slice(at + 2, close).replace(/\s+(["'(]).*$/, '');
    this.lines[line - 1] = `${text.slice(0, at + 2)}${inner} "${title.replace(/"/g, '\\"')}"${text.slice(close)}`;
  }

  figure(html: Html): void {
    if (/\bdata-step=/.test(html.value))
      return this.problem(html.position?.start.line, '그림에 이미 data-step 이 있습니다.');
    const caption = /<figcaption>([\s\S]*?)<\/figcaption>/
      .exec(html.value)?.[1]
      ?.replace(/<[^>]+>/g, '')
      .trim();
    const at = (html.position?.start.line ?? 1) - 1 + html.value.split('\n').findIndex((l) => FIGURE.test(l));
    const id = this.screenshot(at + 1, caption ?? '');
    this.lines[at] = (this.lines[at] ?? '').replace(
      FIGURE,
      (_m, attrs: string) => `<figure${attrs} data-step="${id}">`,
    );
  }

  code(code: Code, atRoot: boolean): void {
    const intro = this.before;
    this.before = '';
    const line = code.position?.start.line ?? 0;
    const meta = new MetaOptions(code.meta ?? '');
    if (meta.getString('step') !== undefined || meta.getString('of') !== undefined)
      return this.problem(line, `펜스에 이미 step id 가 있습니다: \`${code.meta}\``);
    const { command } = this;
    if (command?.edit?.spec === '' && command.outputs.length === 0 && /(^|\s)ins=/.test(code.meta ?? '')) {
      command.edit.spec = this.unique(`${command.id}-spec`);
      return this.setFence(line, command.edit.spec, command.id);
    }
    const role = blockRole(code.lang ?? '', code.value);
    // A file: titled, or data the text just before tells the reader to save (`다음을 x.yaml 로 저장하세요`), or under a heading that is its name.
    const current = (this.headings.at(-1) ?? '').trim();
    const introduced = role === 'output' && atRoot && SAVE.test(intro) ? FILE_NAME.exec(intro)?.[1] : undefined;
    const headed = role === 'output' && !command && FILE_NAME.exec(current)?.[0] === current ? current : undefined;
    const named = meta.getString('title') ?? introduced ?? headed;
    if (named !== undefined) return this.fileBlock(line, named, meta.getString('title') !== undefined);
    if (role === 'command') return this.commandBlock(code, line);
    this.outputBlock(code, line);
  }

  fileBlock(line: number, named: string, titled: boolean): void {
    const id = this.unique(`${this.section()}/file`);
    this.setFence(line, id, undefined, titled ? '' : ` title="${named}"`);
    if (!titled)
      this.guess(
        line,
        `앞의 글이 이 블록을 ${named} 로 저장하라고 해서 파일 단계 ${id} 로 두고 펜스에 title="${named}" 을 붙였습니다.`,
      );
    this.command = undefined; // what follows a file belongs to no command above it
    this.items.push({ kind: 'step', line, step: { kind: 'file', id, title: `${named} 작성` } });
  }

  commandBlock(code: Code, line: number): void {
    const lang = code.lang ?? '';
    const commandLines = meaningful(code.value);
    const verbs = commandLines.map((l) => kubectlVerbs(l)[0]).filter((v) => v !== undefined);
    // The title shows the line that does the work (`kubectl apply …` at the end of a pipeline), else the first.
    const first =
      [...commandLines].reverse().find((l) => verbs.length > 0 && kubectlVerbs(l)[0] === verbs.at(-1)) ??
      commandLines[0] ??
      '';
    const id = this.unique(
      `${this.section()}/${verbs.at(-1) ?? (slug(first.replace(/^\$\s+/, '').split(/\s/)[0] ?? '') || 'run')}`,
    );
    // A command runs as bash and the site shows it as one: the fence says so.
    if (lang !== 'bash')
      this.guess(
        line,
        `\`\`\`${lang || '(언어 없음)'} 블록을 명령으로 보고 ${id} 로 실행하며 펜스를 bash 로 바꾸었습니다.`,
      );
    this.setFence(line, id, undefined, '', 'bash');
    const { alternative } = this;
    this.command = {
      id,
      code: code.value,
      line,
      title: `${this.title()}: ${abbreviate(first.replace(/(\s*[\\|])+$/, ''))}`,
      outputs: [],
      edit: EDIT_COMMAND.test(code.value.trim()) ? { spec: '' } : undefined,
      alternative: alternative && `${alternative.name} (검증하는 방법: ${alternative.verified})`,
    };
    this.items.push({ kind: 'command', command: this.command });
  }

  outputBlock(code: Code, line: number): void {
    const { command } = this;
    const lang = code.lang ?? '';
    if (!command)
      return this.problem(
        line,
        `위에 명령 블록이 없는 ${lang || '언어 없는'} 블록입니다. 명령의 출력이라면 명령 아래로 옮기고, 파일이라면 펜스에 title="파일 이름" 을 붙이세요.`,
      );
    const n = command.outputs.length;
    if (n === 2)
      return this.problem(
        line,
        `명령 ${command.id} 의 세 번째 출력 블록입니다. 명령 하나에는 출력 블록이 둘(페이지의 출력, 버전에 따른 차이)까지입니다.`,
      );
    const id = this.unique(`${command.id}-output${n > 0 ? `-${n + 1}` : ''}`);
    if (['bash', 'sh', 'shell', 'zsh', 'console'].includes(lang))
      this.guess(
        line,
        `\`\`\`${lang} 블록을 ${command.id} 의 출력 ${id} 로 두었습니다 (실행하지 않습니다): ${looksLikeOutput(code.value) ?? '명령으로 보이지 않음'}.`,
      );
    this.setFence(line, id, command.id);
    command.outputs.push({ id, code: code.value, line });
  }
}

/** The page with step ids and its runbook; every problem found, with file:line, in one usage error. */
export function scaffold(source: string, file: string, name: string): Scaffold {
  const scan = new PageScan(source, file);
  const { items, lines, problems } = scan;
  const { steps, fixtures, todo } = stepsOf(items, source, (line, text) => scan.guess(line, text));
  const lineOf = new Map(items.map((i) => (i.kind === 'step' ? [i.step.id, i.line] : [i.command.id, i.command.line])));
  // A file a command reads (`-f x.yaml`) must be written before it runs.
  for (const [i, s] of steps.entries()) {
    if (s.kind !== 'file') continue;
    const name = s.title.replace(/ 작성$/, '');
    const [user] = runsOf(items, steps.slice(0, i), new RegExp(`-f\\s+(\\./)?${name.replace(/\./g, '\\.')}\\b`));
    if (user)
      problems.push(
        `${file}:${lineOf.get(s.id)}: ${name} 을 쓰는 파일 블록이 그것을 읽는 명령 ${user.id} (${file}:${lineOf.get(user.id)}) 보다 뒤에 있습니다. 파일 블록을 명령 앞으로 옮기세요.`,
      );
  }
  for (const s of steps)
    if (!STEP_ID.test(s.id))
      problems.push(
        `${file}:${lineOf.get(s.id) ?? 1}: 만든 step id "${s.id}" 의 형식이 잘못되었습니다. 이 블록의 제목이나 명령을 확인하세요.`,
      );
  if (steps.length === 0) problems.push(`${file}: 페이지에 코드 블록도, 링크 뒤의 그림도 없어 만들 단계가 없습니다.`);
  if (problems.length > 0) {
    const hasIds = problems.some((p) => p.includes('이미 step id') || p.includes('이미 data-step'));
    throw new UsageError(
      hasIds ? 'PAGE_HAS_STEP_IDS' : 'SCAFFOLD',
      `${hasIds ? `페이지 ${file} 에 이미 step id 가 있습니다. new 는 step id 가 없는 페이지에만 씁니다` : `페이지 ${file} 에서 런북을 만들 수 없습니다`}:\n  ${problems.join('\n  ')}`,
      hasIds
        ? `런북이 있다면 npm run runbook -- ${name} --dry-run 으로 보세요. 처음부터 만들려면 펜스의 step/of 와 그림의 data-step 을 지운 뒤 다시 실행하세요.`
        : '위 블록을 고친 뒤 다시 실행하세요.',
    );
  }
  // The frontmatter the badge needs, when the page has none.
  const frontmatter = !(frontmatterOf(source) as { runbook?: unknown }).runbook;
  if (frontmatter) {
    const entry = ['runbook:', `  name: ${name}`, `  kubernetes: ["${DEFAULT_KUBERNETES}"]`];
    if (lines[0] === '---') lines.splice(1, 0, ...entry);
    else lines.unshift('---', ...entry, '---', '');
  }
  // In the page's order (the frontmatter lines are added after every line number was taken).
  const guesses = scan.guessed.sort((a, b) => a[0] - b[0]).map(([, text]) => text);
  return { source: lines.join('\n'), steps, fixtures, todo, guesses, frontmatter };
}

/** The run steps among `list` whose command matches. */
function runsOf(items: Item[], list: Step[], command: RegExp): Step[] {
  const ids = new Set(
    items.flatMap((i) => (i.kind === 'command' && command.test(i.command.code.trim()) ? [i.command.id] : [])),
  );
  return list.filter((s) => s.kind === 'run' && ids.has(s.id));
}

type Guess = (line: number, text: string) => void;

/** The commands as steps: an edit with its stand-in Service, a person's step, or a run step with its rules. */
function stepsOf(items: Item[], source: string, guess: Guess) {
  const todo = new Map<string, string>();
  const fixtures: ServiceFixture[] = [];
  const steps: Step[] = [];
  for (const item of items) {
    if (item.kind === 'step') {
      steps.push(item.step);
      continue;
    }
    const c = item.command;
    if (c.edit?.spec) {
      const [, name, namespace] = EDIT_COMMAND.exec(c.code.trim()) ?? [];
      const before = runsOf(items, steps, new RegExp(`^kubectl get (svc|service)/${name} -n ${namespace}\\s*$`)).at(-1);
      steps.push({ kind: 'edit', id: c.id, title: c.title, spec: c.edit.spec, writes: true } satisfies EditStep);
      // A stand-in only when the Service is absent (made by an earlier chapter); one that exists is left alone.
      fixtures.push({ kind: 'service', edit: c.id, spec: c.edit.spec, resetWith: before?.id ?? c.id });
      continue;
    }
    // Not run by the runbook: another way to do the same, or a command that needs a person at a terminal.
    const person = c.alternative ? `다른 설치 방법 ${c.alternative} 이라 검증하지 않습니다` : interactive(c.code);
    if (person) {
      steps.push({ kind: 'manual', id: c.id, title: `${c.title} (사람이 실행)` });
      todo.set(
        c.id,
        `${person}. 사람이 실행하는 단계로 두었습니다${c.edit ? '; kubectl edit 아래에 바꿀 줄을 표시한(ins={..}) YAML 블록을 더하면 편집 단계로 검증할 수 있습니다' : ''}.`,
      );
      guess(c.line, `${c.id}: ${person} → 수동 단계.`);
      continue;
    }
    steps.push(runStep(c, source, todo, guess));
  }
  return { steps, fixtures, todo };
}

function runStep(c: Command, source: string, todo: Map<string, string>, guess: Guess): RunStep {
  const step = outputsOf(c);
  if (longRunning(c.code)) inBackground(c, step, guess);
  const eventually = step.background ? undefined : waits(c, step);
  if (eventually) {
    step.eventually = eventually;
    guess(
      c.line,
      `${c.id}: 나중에 참이 되는 상태를 읽는 명령이라 페이지의 출력이 될 때까지 다시 실행합니다 (${durationLabel(eventually.within)}).`,
    );
  }
  const [main, aside] = c.outputs;
  if (main && aside) {
    const between = source.split('\n').slice(main.line, aside.line).join('\n');
    const since = /Kubernetes\s*v?(1\.\d+)/.exec(between)?.[1];
    step.drift = {
      since: since ?? '1.99',
      output: linesRule(aside.id, aside.code),
      exitCode: 0,
      because: `TODO: ${aside.id} 가 어떤 차이인지 적으세요.`,
    };
    todo.set(
      c.id,
      `출력 블록이 둘입니다 (${main.id}, ${aside.id}). 두 번째를 버전에 따른 차이(drift)로 두었습니다: since(${since ? '페이지 문장에서 읽은 값' : '찾지 못해 1.99'}), exitCode, stderr, withoutLines, because 를 페이지에 맞게 고치세요.`,
    );
  }
  const volatile = step.output?.kind === 'lines' ? (step.output.volatile?.source ?? '') : '';
  const parts = VOLATILE_PARTS.flatMap(([, part, name]) => (volatile.includes(part) ? [name] : []));
  if (parts.length > 0)
    guess(
      c.outputs[0]?.line ?? c.line,
      `${c.id}: 출력에서 실행마다 다른 부분(${parts.join(', ')})은 비교하지 않습니다.`,
    );
  return step;
}

/** A command that keeps running: a background step, ready when its local port answers (or its first line is printed). */
function inBackground(c: Command, step: RunStep, guess: Guess): void {
  // The local port it answers on: port-forward's `LOCAL:REMOTE` (or one port for both), proxy's `--port`.
  const line = c.code.replace(/\\?\n/g, ' ');
  const port =
    /\bport-forward\b.*?\s(?:\d+\.\d+\.\d+\.\d+:)?(\d+):\d+/.exec(line)?.[1] ??
    /\bport-forward\b.*?\s(\d+)(?:\s|$)/.exec(line)?.[1] ??
    /\bproxy\b.*?\s(?:--port[= ]|-p[= ]?)(\d+)/.exec(line)?.[1];
  step.background = port ? { port: Number(port) } : {};
  // What it prints first is read while it runs: the page's lines must be there, more may follow.
  if (step.output?.kind === 'lines') step.output.streams = { stdout: 'contains' };
  guess(
    c.line,
    `${c.id}: 끝나지 않는 명령이라 백그라운드 단계로 두었습니다 (${port ? `127.0.0.1:${port} 가 응답하면` : '첫 출력 줄이 나오면'} 다음 단계로, 실행이 끝나면 멈춥니다).`,
  );
}

function outputsOf(c: Command): RunStep {
  const [main] = c.outputs;
  const writes = writesCluster(c.code);
  const step: RunStep = { kind: 'run', id: c.id, title: c.title, ...(writes ? { writes: true } : {}) };
  if (!main) return step;
  step.output = outputRule(main.id, main.code, / -n ([a-z0-9-]+)/.exec(c.code)?.[1] ?? 'default');
  const get = /^kubectl get ([a-z]+)(?:\/[a-z0-9-]+)? -n [a-z0-9-]+\s*$/.exec(c.code.trim());
  if (get && step.output.kind === 'table') {
    const object: ObjectRule = ['pod', 'pods', 'po'].includes(get[1] ?? '') ? { kind: 'pods' } : { kind: 'service' };
    if (objectRuleProblems(object, c.code, main.code).length === 0) step.object = object;
  }
  return step;
}

/**
 * A read of state that becomes true later (`kubectl get` with a documented output, `kubectl wait`):
 * re-run until it matches, as a person waits and looks again; pods and waits get longer.
 */
function waits(c: Command, step: RunStep): RunStep['eventually'] {
  const commands = meaningful(c.code.replace(/\\\n/g, ' '));
  // Each line a read (`kubectl get|wait`), piped only through filters (`| grep …`).
  const reads = commands
    .map((l) => l.split(/\s*\|\s*/))
    .filter(
      ([first, ...filters]) =>
        /^kubectl\b/.test(first ?? '') &&
        filters.every((f) => /^(grep|awk|sed|head|tail|jq|yq|sort|wc|cut|column)\b/.test(f)),
    );
  const verbs = reads.map(([first]) => kubectlVerbs(first ?? '')[0]);
  if (verbs.length === 0 || reads.length !== commands.length || !verbs.every((v) => v === 'get' || v === 'wait'))
    return undefined;
  if (verbs.every((v) => v === 'get') && !step.output) return undefined;
  const timeout = /--timeout[= ](\d+)([sm])\b/.exec(c.code);
  if (timeout) return { within: `${Number(timeout[1])}${timeout[2] as 's' | 'm'}` };
  return { within: verbs.includes('wait') || /\bget\s+(pods?|po)\b/.test(c.code) ? '3m' : '1m' };
}

/** Line by line, exactly; kubectl's `Warning:` lines on stderr; `created`/`unchanged` alike when the block shows apply results. */
function linesRule(block: string, code: string): LinesRule {
  const text = code.split('\n').filter((l) => l.trim() !== '');
  const stderr = text.some((l) => /^Warning: /.test(l.trim())) ? /^Warning: / : undefined;
  const applyVerbs = text.some((l) => APPLY_VERB.test(l.trim()));
  // Ages and restarts only where the lines are table rows (`kubectl get pods | grep …`), not in YAML.
  const rows = text.some((l) => l.trim().split(/\s{2,}/).length >= 3);
  const parts = VOLATILE_PARTS.filter(([found], i) => (i < 2 || rows) && text.some((l) => found.test(l.trim()))).map(
    ([, part]) => part,
  );
  const volatile = parts.length > 0 ? new RegExp(parts.join('|')) : undefined;
  return {
    kind: 'lines',
    block,
    mode: 'exact',
    ...(stderr ? { stderr } : {}),
    ...(applyVerbs ? { applyVerbs } : {}),
    ...(volatile ? { volatile } : {}),
  };
}

/** A kubectl table (an upper-case header of two or more columns) by column, anything else by line. */
function outputRule(block: string, code: string, namespace: string): OutputRule {
  const text = code.split('\n').filter((l) => l.trim() !== '');
  const header = text[0]?.trim().split(/\s{2,}/) ?? [];
  if (text.length < 2 || !isTableHeader(header)) return linesRule(block, code);
  const key = header.includes('NAME') ? 'NAME' : (header[0] ?? 'NAME');
  const names = parseTable(code).rows.map((r) => r[key] ?? '');
  const generated = names.some((n) => nameStem(n) !== n);
  // A name with only a random suffix (`speaker-fnf8l`) is a DaemonSet's pod, one per node: the DaemonSet of that name in the command's namespace.
  const perNode = names.filter((n) => nameStem(n) !== n && nameStem(n) === n.slice(0, -6)).map(nameStem);
  const ports = header.filter((h) => h === 'PORT(S)');
  return {
    kind: 'table',
    block,
    key,
    keyMatch: generated ? 'generated-suffix' : 'exact',
    volatile: header.filter((h) => VOLATILE.includes(h)),
    ...(ports.length > 0 ? { ports } : {}),
    ...(perNode.length > 0
      ? { rows: Object.fromEntries(perNode.map((n) => [n, { onePerNodeOf: { namespace, daemonSet: n } }])) }
      : {}),
  };
}

const abbreviate = (text: string) => (text.length > 60 ? `${text.slice(0, 59)}…` : text);
