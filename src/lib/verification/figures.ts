/**
 * Screenshot figures are raw HTML in the page (`<figure class="screenshot" data-step="…">`), kept
 * as-is by the Markdown processor, so their marks are added to the rendered HTML: the mark goes
 * inside the figure, after its caption. The pattern is the one the runbook's page reader uses to
 * find these figures (scripts/model/page.ts), so both see the same figures. A Markdown image with
 * `step=…` in its title, the reader's other screenshot anchor, is rendered as such a figure holding the
 * image (src/plugins/step-images.ts), so it gets its mark here too.
 */
import { toHtml } from '@astrojs/starlight/expressive-code/hast';
import type { Words } from './labels.ts';
import { markElement } from './mark-element.ts';
import type { Mark } from '../../../scripts/model/verdict.ts';

const FIGURE = /(<figure\b[^>]*\bclass="screenshot"[^>]*\bdata-step="([^"]*)"[^>]*>[\s\S]*?)(<\/figure>)/g;

/** Adds each figure's mark before its `</figure>`; figures without a mark are left alone. */
export function markFigures(html: string, marks: Map<string, Mark>, detailsHref: string, words?: Words): string {
  return html.replace(FIGURE, (whole, open: string, id: string, close: string) => {
    const mark = marks.get(id);
    return mark ? `${open}${toHtml(markElement(mark, detailsHref, words))}${close}` : whole;
  });
}
