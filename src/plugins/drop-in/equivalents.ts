/**
 * The guide's Docusaurus and Hugo syntax rendered as its Starlight equivalent, without an edit:
 *   :::info / :::warning / :::tip Title  → Starlight's :::note / :::caution / :::tip[Title] asides
 *   {{% notice warning "T" %}} … {{% /notice %}} (or {{< … >}})  → the same asides
 *   [text]({{< relref "x.md#a" >}}), {{< ref … >}}  → a link to that page's route (relative, any SITE_BASE)
 *   {{< figure src=… alt=… caption=… >}}  → <figure><img><figcaption>, the image through Astro's pipeline
 *   <img src="/…"> and ![](…)  → checked against public/ and the page's folder (images.ts)
 * One pure pass over the page's Markdown tree, before Starlight's asides plugin. What it could not
 * make work (a missing page or image) is added to `found` with its line; the source ranges it
 * rendered go to `handled`, so the unsupported-syntax check (run next) does not report them.
 */
import path from 'node:path';
import type { MdastPluginDefinition } from 'satteri';
import { htmlImages, imageSource, type ImageContext } from './images.ts';
import { routeLink } from './relative-links.ts';
import {
  FIGURE,
  NOTICE_CLOSE,
  NOTICE_OPEN,
  noticeArgs,
  REF_BARE,
  REF_LINK,
  refTarget,
  shortcodeArgs,
} from './shortcodes.ts';
import { ASIDE_FOR, DIRECTIVE_LINE, type Unsupported } from './unsupported-syntax.ts';

interface Point {
  line: number;
  offset?: number | undefined;
}
/** The little of an mdast node this reads and writes. */
interface Node {
  type: string;
  value?: string;
  url?: string;
  alt?: string | null;
  name?: string;
  attributes?: Record<string, unknown> | null;
  data?: Record<string, unknown>;
  children?: Node[];
  position?: { start: Point; end: Point } | undefined;
}

interface Equivalents extends ImageContext {
  /** The docs folder (src/content/docs). */
  docsDir: string;
  /** What cannot be made to work, lines counted in the text the parser got. */
  found: Unsupported[];
  /** Source ranges rendered here. */
  handled: Array<[number, number]>;
}

const text = (value: string): Node => ({ type: 'text', value });
const paragraph = (hName: string, children: Node[]): Node => ({ type: 'paragraph', data: { hName }, children });

/** The Sätteri mdast plugin: replaces the page's tree when something was rendered. */
export function equivalentsPlugin(cx: Equivalents): MdastPluginDefinition {
  return {
    name: 'vdocs-drop-in-equivalents',
    options: { position: true },
    before: (root, ctx) => {
      const next = transform(root as unknown as Node, { ...cx, source: ctx.source });
      if (next.length === 1 && next[0] !== (root as unknown)) ctx.replaceNode(root, next[0] as never);
    },
  };
}

type Pass = Equivalents & { source: string };

function transform(node: Node, cx: Pass): Node[] {
  switch (node.type) {
    case 'code':
    case 'inlineCode':
    case 'yaml':
    case 'toml':
    case 'mdxjsEsm':
      return [node];
    case 'containerDirective':
      return [aside(node, cx)];
    // From the source: `{{<figure src="a.png">}}` (no space) parses as text, HTML, text.
    case 'paragraph':
      return (
        figure(node, cx.source.slice(node.position?.start.offset ?? 0, node.position?.end.offset ?? 0), cx) ??
        withChildren(node, cx)
      );
    case 'html':
      return node.value?.startsWith('<!--') ? [node] : html(node, cx);
    case 'text':
      return refLinks(node, cx);
    case 'image': {
      const checked = checkImage(node, node.url ?? '', `![${node.alt ?? ''}](${node.url ?? ''})`, cx);
      return [checked && checked !== node.url ? { ...node, url: checked } : node];
    }
    default:
      return withChildren(node, cx);
  }
}

/** The node with its children transformed (itself when none changed); Hugo notices grouped into asides. */
function withChildren(node: Node, cx: Pass): Node[] {
  const list = node.children;
  if (!list) return [node];
  const out: Node[] = [];
  for (let i = 0; i < list.length; i++) {
    const notice = noticeAt(list, i, cx);
    if (notice) {
      out.push(notice.aside);
      i = notice.last;
    } else out.push(...transform(list[i]!, cx));
  }
  return out.length === list.length && out.every((child, i) => child === list[i])
    ? [node]
    : [{ ...node, children: out }];
}

/** `:::info`, `:::warning`, `:::tip Title` (Docusaurus 2): the Starlight aside, with no position so the check passes it. */
function aside(node: Node, cx: Pass): Node {
  const name = node.name ?? '';
  const variant = ASIDE_FOR[name.toLowerCase()];
  const start = node.position?.start.offset;
  const title =
    start === undefined ? '' : (DIRECTIVE_LINE.exec(cx.source.slice(start).split('\n', 1)[0] ?? '')?.[4] ?? '').trim();
  const [inner] = withChildren(node, cx);
  if (!variant || (variant === name && !title)) return inner!;
  const label = title ? [{ type: 'paragraph', data: { directiveLabel: true }, children: [text(title)] }] : [];
  return {
    type: 'containerDirective',
    name: variant,
    attributes: node.attributes ?? {},
    children: [...label, ...(inner!.children ?? [])],
  };
}

/** A Hugo `notice` from paragraph `i` to the paragraph ending in `{{% /notice %}}`, as an aside. */
function noticeAt(list: readonly Node[], i: number, cx: Pass): { aside: Node; last: number } | undefined {
  const first = list[i];
  const head = first?.type === 'paragraph' ? first.children?.[0] : undefined;
  const open = head?.type === 'text' ? NOTICE_OPEN.exec(head.value ?? '') : null;
  if (!first || !head || !open) return undefined;
  const opened = {
    ...first,
    children: [{ ...head, value: (head.value ?? '').slice(open[0].length) }, ...(first.children ?? []).slice(1)],
  };
  for (let j = i; j < list.length; j++) {
    const block = j === i ? opened : list[j]!;
    const tail = block.type === 'paragraph' ? block.children?.at(-1) : undefined;
    const close = tail?.type === 'text' ? NOTICE_CLOSE.exec(tail.value ?? '') : null;
    if (!tail || !close) continue;
    const closed = {
      ...block,
      children: [...(block.children ?? []).slice(0, -1), { ...tail, value: (tail.value ?? '').slice(0, close.index) }],
    };
    const inner = [j === i ? closed : opened, ...list.slice(i + 1, j), ...(j === i ? [] : [closed])]
      .map((p) =>
        p.type === 'paragraph'
          ? { ...p, children: (p.children ?? []).filter((c) => c.type !== 'text' || (c.value ?? '').trim() !== '') }
          : p,
      )
      .filter((p) => p.type !== 'paragraph' || (p.children ?? []).length > 0);
    const headAt = head.position?.start.offset ?? 0;
    const tailEnd = tail.position?.end.offset ?? 0;
    cx.handled.push([headAt, headAt + open[0].length], [tailEnd - close[0].length, tailEnd]);
    const { kind, title } = noticeArgs(open[2] ?? '');
    const label = title ? [{ type: 'paragraph', data: { directiveLabel: true }, children: [text(title)] }] : [];
    const [content] = withChildren({ type: 'root', children: inner }, cx);
    return {
      aside: {
        type: 'containerDirective',
        name: ASIDE_FOR[kind.toLowerCase()] ?? 'note',
        attributes: {},
        children: [...label, ...(content!.children ?? [])],
      },
      last: j,
    };
  }
  return undefined;
}

/** `{{< figure src=… alt=… caption=… title=… >}}` alone in a paragraph: a figure. */
function figure(node: Node, value: string, cx: Pass): Node[] | undefined {
  const m = FIGURE.exec(value.trim());
  if (!m) return undefined;
  const { named } = shortcodeArgs(m[1] ?? '');
  if (!named['src']) return undefined;
  const url = checkImage(node, named['src'], `{{< figure src="${named['src']}" >}}`, cx);
  handle(node, cx);
  if (!url) return [node];
  const caption = [named['title'], named['caption']].filter(Boolean).join(' — ');
  const image: Node = { type: 'image', url, alt: named['alt'] ?? caption };
  return [paragraph('figure', [image, ...(caption ? [paragraph('figcaption', [text(caption)])] : [])])];
}

/** Raw HTML: `href="{{< ref … >}}"` made the page's route; each `<img>` checked, one beside the page made a Markdown image. */
function html(node: Node, cx: Pass): Node[] {
  const line = node.position?.start.line ?? 1;
  const value = (node.value ?? '').replace(REF_BARE, (whole: string, ref: string, index: number) => {
    handle(node, cx);
    return refUrl(ref, whole, line + countLines(node.value ?? '', index), cx) ?? whole;
  });
  const out: Node[] = [];
  let at = 0;
  for (const img of htmlImages(value)) {
    const url = checkImage(
      { position: { start: { line: line + countLines(value, img.start) }, end: { line } }, type: 'html' },
      img.src,
      `<img src="${img.src}">`,
      cx,
    );
    if (!url || url === img.src) continue;
    const tag = value.slice(img.start, img.end);
    if (url.startsWith('/')) {
      out.push({ type: 'html', value: value.slice(at, img.start) + tag.replace(img.src, url) });
    } else {
      const sized = Object.fromEntries(
        Object.entries({ width: img.width, height: img.height }).filter(([, v]) => v !== undefined),
      );
      out.push(
        { type: 'html', value: value.slice(at, img.start) },
        { type: 'image', url, alt: img.alt ?? '', data: { hProperties: sized } },
      );
    }
    at = img.end;
  }
  if (at === 0 && value === node.value) return [node];
  out.push({ type: 'html', value: value.slice(at) });
  return out.filter((n) => n.type !== 'html' || n.value !== '');
}

/** `[text]({{< relref "x.md#a" >}})` in a text node: a link to the page's route. */
function refLinks(node: Node, cx: Pass): Node[] {
  const value = node.value ?? '';
  const out: Node[] = [];
  let at = 0;
  for (const m of value.matchAll(REF_LINK)) {
    const line = (node.position?.start.line ?? 1) + countLines(value, m.index);
    const url = refUrl(m[2] ?? '', `{{< ref "${m[2] ?? ''}" >}}`, line, cx);
    const start = (node.position?.start.offset ?? 0) + m.index;
    cx.handled.push([start, start + m[0].length]);
    if (!url) continue;
    out.push(text(value.slice(at, m.index)), { type: 'link', url, children: [text(m[1] ?? '')] });
    at = m.index + m[0].length;
  }
  if (at === 0) return [node];
  return [...out, text(value.slice(at))].filter((n) => n.type !== 'text' || n.value !== '');
}

/** The route of the page a ref names, relative to this page; or a finding. */
function refUrl(ref: string, found: string, line: number, cx: Pass): string | undefined {
  const target = refTarget(cx.docsDir, cx.from, ref);
  if (target) return routeLink(cx.docsDir, cx.from, target, ref.includes('#') ? `#${ref.split('#')[1]}` : '');
  const docs = path.relative(cx.root, cx.docsDir);
  cx.found.push({
    line,
    found,
    why: `가리키는 페이지 ${ref} 가 사이트에 없습니다 (${docs} 와 이 페이지의 폴더에서 ${ref}, ${ref}.md, ${ref}/index.md 를 찾았습니다).`,
    instead: `그 페이지를 ${docs} 아래에 넣거나, 있는 페이지 파일로 가는 상대 링크 [링크 글자](../폴더/페이지.md) 를 쓰세요 (SITE_BASE 아래에서도 동작합니다)`,
  });
  return undefined;
}

/** The URL an image is served at, or undefined with a finding when its file is missing. */
function checkImage(node: Node, src: string, found: string, cx: Pass): string | undefined {
  const checked = imageSource(cx, src);
  if (!checked) return src;
  if ('url' in checked) return checked.url;
  cx.found.push({ line: node.position?.start.line ?? 1, found, ...checked.problem });
  return undefined;
}

function handle(node: Node, cx: Pass): void {
  cx.handled.push([node.position?.start.offset ?? 0, node.position?.end.offset ?? 0]);
}

const countLines = (value: string, index: number): number => value.slice(0, index).split('\n').length - 1;
