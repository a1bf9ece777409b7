/**
 * Small, purpose-built readers for the HTML that Astro, Starlight and Expressive Code emit.
 * The project has no HTML parser dependency; these match the serialised output of the build
 * (double-quoted attributes, no nesting of the elements they look for). If a pattern stops
 * matching, the tests fail on an empty list rather than passing silently.
 */

/** Decodes the entities Astro's serialiser emits (named basics and numeric). */
export function decodeEntities(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return String.fromCodePoint(code);
    }
    return named[name.toLowerCase()] ?? whole;
  });
}

/** Text content of an HTML fragment: tags removed, entities decoded. */
export function textOf(fragment: string): string {
  return decodeEntities(fragment.replace(/<[^>]*>/g, ''));
}

/** The value of `name="…"` in an element's opening tag, decoded; undefined when absent. */
export function attr(openTag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}="([^"]*)"`).exec(openTag);
  return match?.[1] === undefined ? undefined : decodeEntities(match[1]);
}

/** One code block as Expressive Code rendered it. */
export interface RenderedBlock {
  /** `data-step` of the block's `figure.frame` (set by our step-meta plugin). */
  step: string | undefined;
  /** `data-of` of the block's `figure.frame`. */
  of: string | undefined;
  /** `data-language` of the `<pre>`. */
  language: string | undefined;
  /** What the copy button copies: its `data-code`, with EC's U+007F line separators turned back into `\n`. */
  copyText: string | undefined;
  /** What the reader sees: the text of each rendered line, joined with `\n`. */
  shownText: string;
  /** Class lists of the rendered lines, e.g. `ec-line highlight ins`. */
  lineClasses: string[];
  /** Classes of the `figure`, e.g. `frame is-terminal not-content`. */
  frameClass: string;
}

/** Every Expressive Code block of a page, in document order. */
export function renderedBlocks(html: string): RenderedBlock[] {
  const blocks: RenderedBlock[] = [];
  for (const match of html.matchAll(/(<figure class="[^"]*\bframe\b[^"]*"[^>]*>)([\s\S]*?)<\/figure>/g)) {
    const [, openTag = '', body = ''] = match;
    const pre = /<pre[^>]*>/.exec(body)?.[0] ?? '';
    const button = /<button[^>]*data-code="[^"]*"[^>]*>/.exec(body)?.[0];
    const code = /<code>([\s\S]*)<\/code>/.exec(body)?.[1] ?? '';
    const lines = [...code.matchAll(/<div class="(ec-line[^"]*)">([\s\S]*?)(?=<div class="ec-line|$)/g)];
    blocks.push({
      step: attr(openTag, 'data-step'),
      of: attr(openTag, 'data-of'),
      language: attr(pre, 'data-language'),
      copyText: button === undefined ? undefined : attr(button, 'data-code')?.replace(/\u007f/g, '\n'),
      shownText: lines.map(([, , line = '']) => textOf(line)).join('\n'),
      lineClasses: lines.map(([, cls = '']) => cls),
      frameClass: attr(openTag, 'class') ?? '',
    });
  }
  return blocks;
}

/** Text of every `<hN>` of the page content (level 1–6), in order. */
export function headingTexts(html: string): string[] {
  return [...html.matchAll(/<h([1-6])\b[^>]*>([\s\S]*?)<\/h\1>/g)].map(([, , inner = '']) => textOf(inner));
}

/** Text of every table cell (`<th>`, `<td>`), in order. */
export function tableCellTexts(html: string): string[] {
  return [...html.matchAll(/<(t[dh])\b[^>]*>([\s\S]*?)<\/\1>/g)].map(([, , inner = '']) => textOf(inner));
}

/** Every `<figure class="screenshot">` with its placeholder text and caption. */
export function screenshotFigures(html: string): { step: string | undefined; placeholder: string; caption: string; body: string }[] {
  return [...html.matchAll(/(<figure class="screenshot"[^>]*>)([\s\S]*?)<\/figure>/g)].map(([, openTag = '', body = '']) => ({
    step: attr(openTag, 'data-step'),
    placeholder: textOf(/<div class="screenshot-placeholder"[^>]*>([\s\S]*?)<\/div>/.exec(body)?.[1] ?? ''),
    caption: textOf(/<figcaption>([\s\S]*?)<\/figcaption>/.exec(body)?.[1] ?? ''),
    body,
  }));
}

/** A verification mark (issue 5) as rendered under a code block or inside a screenshot figure. */
export interface RenderedMark {
  /** `data-step` of the block or figure the mark belongs to. */
  element: string | undefined;
  /** `data-status` of the mark: passed, failed, skipped, manual, fixture or stale. */
  status: string | undefined;
  /** `data-mark-for`: the step whose status it shows (the block's `of`, else its own id). */
  stepFor: string | undefined;
  /** `details` when the mark opens on demand (expected vs actual, reason), else `div`. */
  tag: string;
  /** Text of the mark, tags removed. */
  text: string;
  /** Text of the `<summary>` (for `details`), or of the mark's first line. */
  summary: string;
  /** Headings and texts of the outputs it shows on demand, e.g. `[['기대한 출력 (페이지)', '…'], …]`. */
  outputs: [string, string][];
  html: string;
}

const MARK = /(<(div|details) class="step-mark[^"]*"[^>]*>)([\s\S]*?)<\/\2>/;

function readMark(element: string | undefined, markHtml: string): RenderedMark | undefined {
  const m = MARK.exec(markHtml);
  if (!m) return undefined;
  const [html, open = '', tag = '', inner = ''] = m;
  const summary = /<summary>([\s\S]*?)<\/summary>/.exec(inner)?.[1] ?? /<p class="step-mark-line">([\s\S]*?)<\/p>/.exec(inner)?.[1] ?? '';
  const outputs = [...inner.matchAll(/<p class="step-mark-heading">([\s\S]*?)<\/p><pre class="step-mark-output">([\s\S]*?)<\/pre>/g)].map(
    ([, heading = '', text = '']): [string, string] => [textOf(heading), textOf(text)],
  );
  return { element, status: attr(open, 'data-status'), stepFor: attr(open, 'data-mark-for'), tag, text: textOf(inner), summary: textOf(summary), outputs, html };
}

/** Marks under code blocks, in document order: the block's wrapper `div.step-block`, its figure, then the mark. */
export function blockMarks(html: string): RenderedMark[] {
  const marks: RenderedMark[] = [];
  for (const [, , figure = '', rest = ''] of html.matchAll(/<div class="step-block"[^>]*>([\s\S]*?)(<figure class="frame[^"]*"[^>]*>)[\s\S]*?<\/figure><\/div>((?:<div|<details) class="step-mark[\s\S]*?<\/(?:div|details)>)<\/div>/g)) {
    const mark = readMark(attr(figure, 'data-step'), rest);
    if (mark) marks.push(mark);
  }
  return marks;
}

/** Marks inside screenshot figures, by the figure's `data-step`. */
export function figureMarks(html: string): RenderedMark[] {
  return screenshotFigures(html).flatMap((f) => readMark(f.step, f.body) ?? []);
}
