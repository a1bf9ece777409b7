/**
 * Syntax of the guide's Docusaurus and Hugo pages that this site cannot render: found in a page's
 * Markdown tree and source, each with its line and what to write instead.
 *
 * None of it fails on its own: a Hugo shortcode is printed as text, `:::info` loses its box,
 * `:::tip Title` loses its title, `import` in a `.md` file becomes a paragraph. So the build stops
 * instead (src/plugins/drop-in/index.ts), naming file:line.
 * Code blocks, inline code and HTML comments are never searched: a page may show these as text.
 */

/** One place in a page that cannot work, and the fix. */
export interface Unsupported {
  /** 1-based line in the page file. */
  line: number;
  /** What was written, shortened: `{{< figure >}}`, `:::info`. */
  found: string;
  /** Why it cannot work here, one sentence. */
  why: string;
  /** What to write instead. */
  instead: string;
}

/** The little of an mdast node this needs (Sätteri's and remark's trees both fit). */
export interface SyntaxNode {
  type: string;
  value?: string;
  name?: string;
  children?: readonly SyntaxNode[];
  position?: { start: { offset?: number | undefined }; end: { offset?: number | undefined } } | undefined;
}

/** Starlight's aside variants (`:::note` …). */
const ASIDES = ['note', 'tip', 'caution', 'danger'] as const;
/** Docusaurus (and Infima, Hugo theme) box names → the Starlight aside with the same intent. */
export const ASIDE_FOR: Record<string, (typeof ASIDES)[number]> = {
  note: 'note',
  info: 'note',
  secondary: 'note',
  tip: 'tip',
  success: 'tip',
  hint: 'tip',
  warning: 'caution',
  caution: 'caution',
  important: 'caution',
  danger: 'danger',
  error: 'danger',
};
const asideFor = (name: string | undefined): string => `:::${ASIDE_FOR[name?.toLowerCase() ?? ''] ?? 'note'}`;

const TABS =
  '파일 이름을 .mdx 로 바꾸고 import { Tabs, TabItem } from \'@astrojs/starlight/components\'; 를 넣은 뒤 <Tabs><TabItem label="…">…</TabItem></Tabs>';

/** What to write instead of a Hugo shortcode, by its name; `arg` is its first argument (`notice warning`). */
function shortcodeInstead(name: string, arg: string | undefined): string {
  switch (name) {
    case 'figure':
      return '![설명](./그림.png) (그림 파일은 페이지 옆에 두세요)';
    case 'ref':
    case 'relref':
      return '[링크 글자](../폴더/페이지.md) 처럼 페이지 파일로 가는 상대 링크 (SITE_BASE 아래에서도 동작합니다)';
    case 'highlight':
      return '```bash 처럼 언어를 적은 코드 블록';
    case 'notice':
    case 'alert':
    case 'callout':
    case 'admonition':
    case 'hint':
      return `${asideFor(arg ?? name)} … ::: (종류: ${ASIDES.join(', ')}; 제목은 :::tip[제목])`;
    case 'tabs':
    case 'tab':
      return TABS;
    case 'details':
    case 'expand':
      return '<details><summary>제목</summary> … </details>';
    case 'youtube':
    case 'vimeo':
      return '[동영상 제목](https://www.youtube.com/watch?v=…) 같은 링크';
    default:
      if (name in ASIDE_FOR) return `${asideFor(name)} … :::`;
      return '같은 내용을 Markdown 으로 (그림은 ![설명](./그림.png), 알림 상자는 :::note … :::)';
  }
}

/** What to write instead of a closing shortcode `{{< /name >}}`. */
function closingInstead(name: string): string {
  if (/^(notice|alert|callout|admonition|hint)$/.test(name) || name in ASIDE_FOR) return ':::';
  if (/^tabs?$/.test(name)) return name === 'tabs' ? '</Tabs>' : '</TabItem>';
  if (/^(details|expand)$/.test(name)) return '</details>';
  return '여는 태그를 바꾼 것에 맞춰 지우세요';
}

/** A Docusaurus module (`@theme/Tabs`) → the Starlight import that replaces it. */
function moduleInstead(module: string): string {
  if (/^@theme\/(Tabs|TabItem)$/.test(module)) return "import { Tabs, TabItem } from '@astrojs/starlight/components';";
  if (module === '@theme/CodeBlock') return "import { Code } from '@astrojs/starlight/components'; 또는 코드 블록";
  if (module === '@theme/Admonition') return `:::note … ::: (종류: ${ASIDES.join(', ')})`;
  if (module.startsWith('@site/')) return `페이지 파일에서 본 상대 경로 (예: './${module.split('/').at(-1)}')`;
  return 'Starlight 의 컴포넌트 (@astrojs/starlight/components) 또는 Markdown';
}

const SHORTCODE = /\{\{([<%])\s*(\/?)\s*([\w./-]*)\s*("[^"]*"|[\w-]+)?[^]*?[>%]\}\}/g;
export const DIRECTIVE_LINE = /^:{3,}([\w-]+)(\[[^\]]*\])?(\{[^}]*\})?(.*)$/;
const IMPORT = /^(?:import\s+(?:[\w*{}\s,]+\s+from\s+)?["']([^"']+)["']|export\s+(?:const|let|var|function|default)\b)/;
const MDX_MODULE = /from\s+["']((?:@theme|@site|@docusaurus)\/[^"']+)["']/g;

/** Where a check's node is: its first line, its source text, and the page it is in. */
interface Place {
  at: number;
  start: number;
  text: string;
  source: string;
  format: 'markdown' | 'mdx';
}

/** Node types whose source is never searched (for shortcodes either): code, front matter, MDX imports. */
const SKIPPED = new Set(['code', 'inlineCode', 'yaml', 'toml', 'mdxjsEsm']);

/** Node type → what in such a node cannot work (`false`: nothing). Children are visited afterwards. */
const CHECKS: Record<string, (node: SyntaxNode, place: Place) => Array<Unsupported | false>> = {
  html: ({ value = '' }, { at, format }) => {
    const tag = format === 'markdown' ? /^<([A-Z][\w.]*)/.exec(value)?.[1] : undefined;
    return [
      tag !== undefined && {
        line: at,
        found: `<${tag}>`,
        why: '대문자 태그는 MDX 컴포넌트인데 .md 파일에서는 알 수 없는 HTML 로 나갑니다.',
        instead: /^Tab/.test(tag) ? TABS : `파일 이름을 .mdx 로 바꾸고 ${tag} 를 import 하세요`,
      },
    ];
  },
  containerDirective: ({ position }, { at, start, source }) => {
    // Made a Starlight aside by equivalents.ts (which leaves it no position): nothing to report.
    if (!position) return [];
    const [, name = '', , , rest = ''] = DIRECTIVE_LINE.exec(source.slice(start).split('\n', 1)[0] ?? '') ?? [];
    const title = rest.trim();
    return [
      !(ASIDES as readonly string[]).includes(name) && {
        line: at,
        found: `:::${name}`,
        why: `Starlight 의 알림 상자는 ${ASIDES.map((a) => `:::${a}`).join(', ')} 뿐이라 상자 없이 글만 나갑니다.`,
        instead: asideFor(name),
      },
      title !== '' && {
        line: at,
        found: `:::${name} ${title}`,
        why: 'Docusaurus 2 의 제목 문법이라 제목이 사라집니다.',
        instead: `:::${ASIDE_FOR[name] ?? name}[${title}]`,
      },
    ];
  },
  paragraph: (_, { at, text, format }) => {
    const [statement = '', module] = (format === 'markdown' ? IMPORT.exec(text) : null) ?? [];
    return [
      statement !== '' && {
        line: at,
        found: statement.split(/\s+/).slice(0, 2).join(' '),
        why: 'import/export 는 MDX 문법이라 .md 파일에서는 글로 나갑니다.',
        instead:
          module?.startsWith('@') && !module.startsWith('@astrojs/')
            ? `파일 이름을 .mdx 로 바꾸고 ${moduleInstead(module)}`
            : '파일 이름을 .mdx 로 바꾸세요',
      },
    ];
  },
  heading: (_, { at, text, format }) => {
    const id = format === 'markdown' ? /\s\{#([\w-]+)\}\s*$/.exec(text)?.[1] : undefined;
    return [
      id !== undefined && {
        line: at,
        found: `{#${id}}`,
        why: '제목 id 문법이 없어 제목 글자에 그대로 나갑니다.',
        instead: `{#${id}} 를 지우세요 (id 는 제목 글자로 만들어집니다; #${id} 로 건 링크는 새 id 로 고치세요)`,
      },
    ];
  },
  // An mdast leaf (no children), so reporting before the (absent) children keeps the order.
  mdxjsEsm: ({ value = '' }, { at }) =>
    [...value.matchAll(MDX_MODULE)].map(({ 1: module = '', index }) => ({
      line: at + value.slice(0, index).split('\n').length - 1,
      found: `import … from '${module}'`,
      why: 'Docusaurus 에만 있는 모듈입니다.',
      instead: moduleInstead(module),
    })),
};

/**
 * Every unsupported construct of one page, in line order. `source` is what the parser read (line numbers kept);
 * `handled`: source ranges src/plugins/drop-in/equivalents.ts rendered, not reported.
 */
export function findUnsupported(
  root: SyntaxNode,
  source: string,
  format: 'markdown' | 'mdx',
  handled: ReadonlyArray<readonly [number, number]> = [],
): Unsupported[] {
  const found: Unsupported[] = [];
  /** Source ranges never searched for shortcodes. */
  const skipped: Array<[number, number]> = [];
  const visit = (node: SyntaxNode): void => {
    const start = node.position?.start.offset ?? 0;
    if (SKIPPED.has(node.type) || (node.type === 'html' && node.value?.startsWith('<!--')))
      skipped.push([start, node.position?.end.offset ?? start]);
    const at = source.slice(0, start).split('\n').length;
    const text = source.slice(start, node.position?.end.offset ?? 0);
    for (const f of CHECKS[node.type]?.(node, { at, start, text, source, format }) ?? []) if (f) found.push(f);
    node.children?.forEach(visit);
  };
  visit(root);
  return [...found, ...shortcodes(source, [...skipped, ...handled])].sort((a, b) => a.line - b.line);
}

/**
 * Hugo shortcodes in an `.mdx` page, read before parsing: there `{{<` is an expression the MDX
 * parser refuses ("Could not parse expression") without saying what to write. Fenced code, inline
 * code and HTML comments are skipped by pattern, since there is no tree yet.
 */
export function findShortcodesInMdx(source: string): Unsupported[] {
  const skipped = [/^ {0,3}(`{3,}|~{3,})[^\n]*\n[^]*?^ {0,3}\1[`~]*[ \t]*$/gm, /`+[^`\n]+`+/g, /<!--[^]*?-->/g].flatMap(
    (pattern) => [...source.matchAll(pattern)].map((m): [number, number] => [m.index, m.index + m[0].length]),
  );
  return shortcodes(source, skipped);
}

/** Hugo shortcodes outside the skipped ranges, closing ones too (each needs the same edit as its opening). */
function shortcodes(source: string, skipped: ReadonlyArray<readonly [number, number]>): Unsupported[] {
  const found: Unsupported[] = [];
  for (const match of source.matchAll(SHORTCODE)) {
    const index = match.index;
    if (skipped.some(([from, to]) => index >= from && index < to)) continue;
    const [whole, delimiter = '<', closing, name = '', arg] = match;
    const shown = `{{${delimiter} ${closing}${name} ${delimiter === '<' ? '>' : '%'}}}`.replace('  ', ' ');
    const why = closing
      ? `위 {{${delimiter} ${name} ${delimiter === '<' ? '>' : '%'}}} 의 닫는 태그입니다. 여는 태그와 함께 바꾸세요.`
      : 'Hugo 단축 코드는 Hugo 만 처리해서 이 사이트에는 글자 그대로 나갑니다.';
    found.push({
      line: source.slice(0, index).split('\n').length,
      found: whole.length > 60 ? shown : whole,
      why,
      instead: closing ? closingInstead(name) : shortcodeInstead(name, arg?.replaceAll('"', '')),
    });
  }
  return found;
}

/** The build error: the page, then one `file:line` entry per construct with what to write instead. */
export function unsupportedMessage(file: string, found: readonly Unsupported[]): string {
  const entries = found.map(
    (f) => `  ${file}:${f.line}  ${f.found}\n    ${f.why}\n    대신 이렇게 쓰세요: ${f.instead}`,
  );
  return `${file}: 이 사이트(Astro + Starlight)에서 동작하지 않는 곳이 ${found.length}곳 있습니다.\n${entries.join('\n')}`;
}
