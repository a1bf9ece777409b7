/**
 * Reads built pages with a real HTML parser (hast-util-from-html) and CSS selectors
 * (hast-util-select): the code blocks Expressive Code rendered, screenshot figures, the
 * verification marks under blocks and inside figures, headings, table cells and attributes.
 * A reader that finds nothing returns an empty list, so a changed markup fails the tests loudly.
 */
import type { Element, Nodes, Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { matches, select, selectAll } from 'hast-util-select';
import { toString } from 'hast-util-to-string';
import { find, html as htmlSchema } from 'property-information';

/** Parsed HTML, or HTML text to parse. */
type Html = string | Nodes;

const parsed = new Map<string, Root>();

/** A built page as a tree; the last few pages parsed are kept, since tests read one page many times. */
function parseHtml(html: string): Root {
  let tree = parsed.get(html);
  if (!tree) {
    tree = fromHtml(html);
    if (parsed.size >= 8) parsed.delete(parsed.keys().next().value!);
    parsed.set(html, tree);
  }
  return tree;
}

const tree = (source: Html): Nodes => (typeof source === 'string' ? parseHtml(source) : source);

/** The first element the CSS selector matches, or undefined. */
export function first(source: Html | undefined, selector: string): Element | undefined {
  return source === undefined ? undefined : select(selector, tree(source));
}

/** Every element the CSS selector matches, in document order. */
export function all(source: Html | undefined, selector: string): Element[] {
  return source === undefined ? [] : selectAll(selector, tree(source));
}

/** Text content: tags dropped, entities decoded; '' for nothing. */
export function textOf(source: Html | undefined): string {
  return source === undefined ? '' : toString(tree(source));
}

/** The text a reader is shown: text content outside `<script>`, `<style>` and `<template>`. */
export function visibleText(source: Html): string {
  const skip = new Set(['script', 'style', 'template']);
  const walk = (node: Nodes): string =>
    node.type === 'text'
      ? node.value
      : 'children' in node && !(node.type === 'element' && skip.has(node.tagName))
        ? node.children.map(walk).join('')
        : '';
  return walk(tree(source));
}

/** An attribute as written in the HTML (`data-step`, `class`: lists joined by spaces); undefined when absent. */
export function attr(element: Element | undefined, name: string): string | undefined {
  const value = element?.properties[find(htmlSchema, name).property];
  if (value === undefined || value === null || value === false) return undefined;
  return Array.isArray(value) ? value.join(' ') : value === true ? '' : String(value);
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

function readBlock(frame: Element): RenderedBlock {
  const lines = all(first(frame, 'pre > code'), '.ec-line');
  return {
    step: attr(frame, 'data-step'),
    of: attr(frame, 'data-of'),
    language: attr(first(frame, 'pre'), 'data-language'),
    copyText: attr(first(frame, 'button[data-code]'), 'data-code')?.replace(/\u007f/g, '\n'),
    shownText: lines.map(textOf).join('\n'),
    lineClasses: lines.map((line) => attr(line, 'class') ?? ''),
    frameClass: attr(frame, 'class') ?? '',
  };
}

/** Every Expressive Code block of a page (`figure.frame`), in document order. */
export function renderedBlocks(html: Html): RenderedBlock[] {
  return all(html, 'figure.frame').map(readBlock);
}

/** Text of every heading (`<h1>`–`<h6>`), in document order. */
export function headingTexts(html: Html): string[] {
  return all(html, 'h1, h2, h3, h4, h5, h6').map(textOf);
}

/** Text of every table cell (`<th>`, `<td>`), in document order. */
export function tableCellTexts(html: Html): string[] {
  return all(html, 'th, td').map(textOf);
}

/** A screenshot figure (`figure.screenshot`) of the page. */
interface ScreenshotFigure {
  step: string | undefined;
  placeholder: string;
  caption: string;
  element: Element;
}

/** Every screenshot figure with its placeholder text and caption, in document order. */
export function screenshotFigures(html: Html): ScreenshotFigure[] {
  return all(html, 'figure.screenshot').map((figure) => ({
    step: attr(figure, 'data-step'),
    placeholder: textOf(first(figure, '.screenshot-placeholder')),
    caption: textOf(first(figure, 'figcaption')),
    element: figure,
  }));
}

/** A verification mark (issue 5) as rendered under a code block or inside a screenshot figure. */
interface RenderedMark {
  /** `data-step` of the block or figure the mark belongs to. */
  element: string | undefined;
  /** `data-status` of the mark: passed, failed, skipped, manual, fixture or stale. */
  status: string | undefined;
  /** `data-mark-for`: the step whose status it shows (the block's `of`, else its own id). */
  stepFor: string | undefined;
  /** `details` when the mark opens on demand (expected vs actual, reason), else `div`. */
  tag: string;
  /** Text of the mark. */
  text: string;
  /** Text of the `<summary>` (for `details`), or of the mark's first line. */
  summary: string;
  /** Headings and texts of the outputs it shows on demand, e.g. `[['기대한 출력 (페이지)', '…'], …]`. */
  outputs: [string, string][];
}

/** Each `p.step-mark-heading` with the `pre.step-mark-output` right after it. */
function outputsOf(mark: Element): [string, string][] {
  return all(mark, '*').flatMap((parent) => {
    const children = parent.children.filter((c): c is Element => c.type === 'element');
    return children.flatMap((heading, i): [string, string][] => {
      const output = children[i + 1];
      return matches('p.step-mark-heading', heading) && output && matches('pre.step-mark-output', output)
        ? [[textOf(heading), textOf(output)]]
        : [];
    });
  });
}

function readMark(element: string | undefined, mark: Element): RenderedMark {
  return {
    element,
    status: attr(mark, 'data-status'),
    stepFor: attr(mark, 'data-mark-for'),
    tag: mark.tagName,
    text: textOf(mark),
    summary: textOf(first(mark, 'summary') ?? first(mark, 'p.step-mark-line')),
    outputs: outputsOf(mark),
  };
}

/** Marks under code blocks, in document order: `div.step-block` holds the block's figure, then its mark. */
export function blockMarks(html: Html): RenderedMark[] {
  return all(html, 'div.step-block').flatMap((block) => {
    const mark = first(block, 'div.step-block > .step-mark');
    return mark ? [readMark(attr(first(block, 'figure.frame'), 'data-step'), mark)] : [];
  });
}

/** Marks inside screenshot figures, by the figure's `data-step`. */
export function figureMarks(html: Html): RenderedMark[] {
  return screenshotFigures(html).flatMap((f) => {
    const mark = first(f.element, '.step-mark');
    return mark ? [readMark(f.step, mark)] : [];
  });
}
