import { MetaOptions } from '@expressive-code/core';
import type { Code, Heading, Html } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { visit } from 'unist-util-visit';
import { markdownTree, STEP_ID } from '../model/page.ts';
import type { EditStep, LinesRule, ObjectRule, OutputRule, RunStep, ServiceFixture, Step } from '../model/runbook.ts';
import { EDIT_COMMAND } from './bind.ts';
import { nameStem, parseTable } from './match/table.ts';
import { objectRuleProblems } from './objects.ts';

/**
 * `npm run runbook -- new PAGE`: a page without step ids → the same page with a step id in every
 * fence (and on every screenshot figure the reader is told to open), and a runbook with one step per
 * block, guessed from the block: commands run (`kubectl edit svc/…` with its marked YAML block is an
 * edit, with a stand-in fixture), titled blocks are files, the blocks under a command are its output
 * (kubectl tables compared by column, the rest line by line), figures after a link are manual checks.
 * Nothing here reads a cluster; the author refines what the TODO comments name.
 */
export interface Scaffold {
  /** The page with step ids; every other byte as it was. */
  source: string;
  steps: Step[];
  fixtures: ServiceFixture[];
  /** Per step id: what the author should look at (drift guessed, edit without a marked block). */
  todo: Map<string, string>;
}

const SHELL = new Set(['bash', 'sh', 'shell', 'zsh', 'console']);
/** Columns that differ from cluster to cluster (compared as volatile by default). */
const VOLATILE = ['AGE', 'RESTARTS', 'CLUSTER-IP', 'IP', 'NODE', 'NOMINATED NODE', 'LAST SEEN', 'DURATION'];
const WRITES = /\bkubectl\s+(apply|create|delete|patch|replace|edit|label|annotate|scale|set|rollout|expose|run|cordon|drain|taint)\b|\bhelm\s+(install|upgrade|uninstall)\b/;
const APPLY_VERB = /^\S+\/\S+ (created|configured|unchanged)$/;
const FIGURE = /<figure\b([^>]*)>/;

export class ScaffoldError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.problems = problems;
  }
}

/** `1. MetalLB 를 설치합니다.` → `metallb`; `Kubeflow Dashboard` → `kubeflow-dashboard`; all-Korean → ''. */
export function slug(text: string): string {
  return text.replace(/^\s*\d+[.)]\s+/, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

interface Command {
  id: string;
  code: string;
  line: number;
  title: string;
  outputs: Array<{ id: string; code: string; line: number }>;
  edit: { spec: string } | undefined;
}

export function scaffold(source: string, file: string): Scaffold {
  const tree = markdownTree(source);
  const lines = source.split('\n');
  const problems: string[] = [];
  const used = new Set<string>();
  const unique = (base: string) => {
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    return id;
  };
  const headings: string[] = [];
  const section = () => [...headings].reverse().map(slug).find((s) => s !== '') ?? 'page';
  const heading = () => headings.at(-1)?.trim().replace(/[.。]$/, '') ?? file;
  const setFence = (line: number, id: string, of?: string) => {
    const m = /^(\s*)(`{3,}|~{3,})(\S*)(.*)$/.exec(lines[line - 1] ?? '');
    if (!m) return;
    // A fence without a language gets `text`: otherwise its meta would be read as the language.
    lines[line - 1] = `${m[1]}${m[2]}${m[3] || 'text'} step="${id}"${of ? ` of="${of}"` : ''}${m[4]}`;
  };

  const items: Array<{ kind: 'command'; command: Command } | { kind: 'step'; step: Step }> = [];
  let command: Command | undefined;
  let links: string[] = [];
  visit(tree, (node) => {
    if (node.type === 'heading') {
      const h = node as Heading;
      headings.length = h.depth - 1;
      headings[h.depth - 1] = toString(h);
      for (let i = 0; i < h.depth - 1; i++) headings[i] ??= '';
    }
    if (node.type === 'paragraph') {
      links = [];
      visit(node, 'link', (l) => void links.push(l.url));
    }
    if (node.type === 'html') {
      const html = node as Html;
      if (!FIGURE.test(html.value)) return;
      if (/\bdata-step=/.test(html.value)) return void problems.push(`${file}:${html.position?.start.line}: 그림에 이미 data-step 이 있습니다.`);
      if (links.length === 0) return; // nothing to open: not a check the runbook can name
      const id = unique(`${section()}/browser`);
      const at = (html.position?.start.line ?? 1) - 1 + html.value.split('\n').findIndex((l) => FIGURE.test(l));
      lines[at] = (lines[at] ?? '').replace(FIGURE, (_m, attrs: string) => `<figure${attrs} data-step="${id}">`);
      const caption = /<figcaption>([\s\S]*?)<\/figcaption>/.exec(html.value)?.[1]?.replace(/<[^>]+>/g, '').trim();
      items.push({ kind: 'step', step: { kind: 'manual', id, title: `${heading()}: ${caption || links[0]} 확인` } });
    }
    if (node.type !== 'code') return;
    const code = node as Code;
    const line = code.position?.start.line ?? 0;
    const meta = new MetaOptions(code.meta ?? '');
    if (meta.getString('step') !== undefined || meta.getString('of') !== undefined) return void problems.push(`${file}:${line}: 펜스에 이미 step id 가 있습니다: \`${code.meta}\``);
    const lang = code.lang ?? '';
    if (SHELL.has(lang)) {
      const verbs = [...code.value.matchAll(/\bkubectl\s+([a-z-]+)/g)].map((m) => m[1]);
      const commandLines = code.value.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
      // The title shows the line that does the work (`kubectl apply …` at the end of a pipeline), else the first.
      const first = [...commandLines].reverse().find((l) => l.includes(`kubectl ${verbs.at(-1)}`)) ?? commandLines[0] ?? '';
      const id = unique(`${section()}/${verbs.at(-1) ?? (slug(first.split(/\s/)[0] ?? '') || 'run')}`);
      setFence(line, id);
      command = { id, code: code.value, line, title: `${heading()}: ${abbreviate(first.replace(/(\s*[\\|])+$/, ''))}`, outputs: [], edit: EDIT_COMMAND.test(code.value.trim()) ? { spec: '' } : undefined };
      items.push({ kind: 'command', command });
      return;
    }
    const title = meta.getString('title');
    if (command?.edit && command.edit.spec === '' && command.outputs.length === 0 && /(^|\s)ins=/.test(code.meta ?? '')) {
      command.edit.spec = unique(`${command.id}-spec`);
      return setFence(line, command.edit.spec, command.id);
    }
    if (title !== undefined) {
      const id = unique(`${section()}/file`);
      setFence(line, id);
      command = undefined; // what follows a file belongs to no command above it
      items.push({ kind: 'step', step: { kind: 'file', id, title: `${title} 작성` } });
      return;
    }
    if (!command) return void problems.push(`${file}:${line}: 위에 명령 블록이 없는 ${lang || '언어 없는'} 블록입니다. 명령의 출력이라면 명령 아래로 옮기고, 파일이라면 펜스에 title="파일 이름" 을 붙이세요.`);
    if (command.outputs.length === 2) return void problems.push(`${file}:${line}: 명령 ${command.id} 의 세 번째 출력 블록입니다. 명령 하나에는 출력 블록이 둘(페이지의 출력, 버전에 따른 차이)까지입니다.`);
    const id = unique(`${command.id}-output${command.outputs.length > 0 ? `-${command.outputs.length + 1}` : ''}`);
    setFence(line, id, command.id);
    command.outputs.push({ id, code: code.value, line });
  });

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
      const before = [...steps].reverse().find((s) => s.kind === 'run' && items.some((i) => i.kind === 'command' && i.command.id === s.id && new RegExp(`^kubectl get (svc|service)/${name} -n ${namespace}\\s*$`).test(i.command.code.trim())));
      steps.push({ kind: 'edit', id: c.id, title: c.title, spec: c.edit.spec, writes: true } satisfies EditStep);
      // A stand-in only when the Service is absent (made by an earlier chapter); one that exists is left alone.
      fixtures.push({ kind: 'service', edit: c.id, spec: c.edit.spec, resetWith: before?.id ?? c.id });
      continue;
    }
    if (c.edit) todo.set(c.id, 'kubectl edit 아래에 바꿀 줄을 표시한(ins={..}) YAML 블록이 없어 명령으로 실행합니다. 편집 블록을 더하세요.');
    steps.push(runStep(c, source, todo));
  }
  for (const s of steps) if (!STEP_ID.test(s.id)) problems.push(`${file}: 만든 step id "${s.id}" 의 형식이 잘못되었습니다.`);
  if (steps.length === 0) problems.push(`${file}: 페이지에 코드 블록도, 링크 뒤의 그림도 없어 만들 단계가 없습니다.`);
  if (problems.length > 0) throw new ScaffoldError(problems);
  return { source: lines.join('\n'), steps, fixtures, todo };
}

function runStep(c: Command, source: string, todo: Map<string, string>): RunStep {
  const [main, aside] = c.outputs;
  const writes = WRITES.test(c.code);
  const step: RunStep = { kind: 'run', id: c.id, title: c.title, ...(writes ? { writes: true } : {}) };
  if (!main) return step;
  step.output = outputRule(main.id, main.code, / -n ([a-z0-9-]+)/.exec(c.code)?.[1] ?? 'default');
  const get = /^kubectl get ([a-z]+)(?:\/[a-z0-9-]+)? -n [a-z0-9-]+\s*$/.exec(c.code.trim());
  if (get && step.output.kind === 'table') {
    // A read the page waits on (pods coming up, an address being assigned): re-run until it matches.
    const pods = ['pod', 'pods', 'po'].includes(get[1] ?? '');
    step.eventually = { within: pods ? '3m' : '1m' };
    const object: ObjectRule = pods ? { kind: 'pods' } : { kind: 'service' };
    if (objectRuleProblems(object, c.code, main.code).length === 0) step.object = object;
  }
  if (aside) {
    const between = source.split('\n').slice(main.line, aside.line).join('\n');
    const since = /Kubernetes\s*v?(1\.\d+)/.exec(between)?.[1];
    step.drift = { since: since ?? '1.99', output: linesRule(aside.id, aside.code), exitCode: 0, because: `TODO: ${aside.id} 가 어떤 차이인지 적으세요.` };
    todo.set(c.id, `출력 블록이 둘입니다 (${main.id}, ${aside.id}). 두 번째를 버전에 따른 차이(drift)로 두었습니다: since(${since ? '페이지 문장에서 읽은 값' : '찾지 못해 1.99'}), exitCode, stderr, withoutLines, because 를 페이지에 맞게 고치세요.`);
  }
  return step;
}

/** Line by line, exactly; kubectl's `Warning:` lines on stderr; `created`/`unchanged` alike when the block shows apply results. */
function linesRule(block: string, code: string): LinesRule {
  const text = code.split('\n').filter((l) => l.trim() !== '');
  const stderr = text.some((l) => /^Warning: /.test(l.trim())) ? /^Warning: / : undefined;
  const applyVerbs = text.some((l) => APPLY_VERB.test(l.trim()));
  return { kind: 'lines', block, mode: 'exact', ...(stderr ? { stderr } : {}), ...(applyVerbs ? { applyVerbs } : {}) };
}

/** A kubectl table (an upper-case header of two or more columns) by column, anything else by line. */
function outputRule(block: string, code: string, namespace: string): OutputRule {
  const text = code.split('\n').filter((l) => l.trim() !== '');
  const header = text[0]?.trim().split(/\s{2,}/) ?? [];
  const isTable = text.length > 1 && header.length > 1 && header.every((h) => /^[A-Z][A-Z0-9()_/.-]*(?: [A-Z][A-Z0-9()_/.-]*)?$/.test(h));
  if (!isTable) return linesRule(block, code);
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
    ...(perNode.length > 0 ? { rows: Object.fromEntries(perNode.map((n) => [n, { onePerNodeOf: { namespace, daemonSet: n } }])) } : {}),
  };
}

function abbreviate(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
