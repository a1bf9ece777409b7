/**
 * The mark shown with a code block or a screenshot figure, as a hast element (no JavaScript).
 *
 *   <div class="step-mark not-content" data-status="passed" data-mark-for="strict-arp/check">✓ 통과</div>
 *
 * A failed or skipped step puts its details in a `<details>` on the step's last block (expected
 * versus actual, problems, reason), and a manual step shows its reason. The mark sits outside the
 * code and its copy button, and its line cannot be selected (CSS), so copying is undisturbed.
 */
import { h, type Element, type ElementContent } from '@astrojs/starlight/expressive-code/hast';
import { STEP_ICON, stepAnchor, wordsFor, type Words } from './labels.ts';
import type { Mark } from '../../../scripts/model/verdict.ts';

/** The one-line part of a mark: icon (decorative), a screen-reader prefix, the status word. */
function line(mark: Mark, words: Words, more?: string): ElementContent[] {
  return [
    h('span.step-mark-icon', { ariaHidden: 'true' }, STEP_ICON[mark.status]),
    h('span.sr-only', words.mark.result),
    h('span.step-mark-label', words.step[mark.status]),
    ...(more ? [h('span.step-mark-more', more)] : []),
  ];
}

function output(title: string, text: string | undefined): ElementContent[] {
  return text === undefined ? [] : [h('p.step-mark-heading', title), h('pre.step-mark-output', text)];
}

/** The details body of a failed step: problems, then expected (page) versus actual (cluster). */
function failure(mark: Mark, words: Words): ElementContent[] {
  const step = mark.step;
  if (!step) return [];
  return [
    ...(step.problems.length > 0
      ? [
          h(
            'ul.step-mark-problems',
            step.problems.map((p) => h('li', p)),
          ),
        ]
      : []),
    ...output(words.mark.expected, step.expected),
    ...output(words.mark.actual, step.actual),
  ];
}

/**
 * The mark element for a block or figure. `detailsHref` links to the step on the details page
 * (`…/verification/<runbook>/<minor>/#step-…`). `words`: the page's language (Korean unless given).
 */
export function markElement(mark: Mark, detailsHref: string, words: Words = wordsFor('ko')): Element {
  const w = words.mark;
  const props = { className: ['step-mark', 'not-content'], dataStatus: mark.status, dataMarkFor: mark.stepId };
  const link = h('p.step-mark-link', [h('a', { href: `${detailsHref}#${stepAnchor(mark.stepId)}` }, w.details)]);
  const reason = mark.step?.reason;
  if (mark.details && mark.status === 'failed') {
    return h('details', props, [
      h('summary', line(mark, words, w.showDiff)),
      h('div.step-mark-body', [...failure(mark, words), link]),
    ]);
  }
  if (mark.details && mark.status === 'skipped' && reason) {
    return h('details', props, [
      h('summary', line(mark, words, w.showReason)),
      h('div.step-mark-body', [h('p', reason), link]),
    ]);
  }
  if (mark.status === 'manual' && reason) {
    return h('div', props, [h('p.step-mark-line', line(mark, words)), h('p.step-mark-reason', reason)]);
  }
  if (mark.details && mark.status === 'standin') {
    return h('details', props, [
      h('summary', line(mark, words, w.whyNot)),
      h('div.step-mark-body', [h('p', mark.why ?? words.standinNote), link]),
    ]);
  }
  if (mark.details && mark.status === 'error') {
    return h('details', props, [
      h('summary', line(mark, words, w.whatWrong)),
      h('div.step-mark-body', [h('p', words.errorNote), h('p', mark.why ?? ''), link]),
    ]);
  }
  if (mark.details && mark.status === 'already') {
    return h('details', props, [
      h('summary', line(mark, words, w.whyNot)),
      h('div.step-mark-body', [h('p', words.alreadyNote), ...(mark.why ? [h('p', mark.why)] : []), link]),
    ]);
  }
  if (mark.details && mark.status === 'written') {
    return h('details', props, [
      h('summary', line(mark, words, w.whyNot)),
      h('div.step-mark-body', [h('p', words.writtenNote), link]),
    ]);
  }
  if (mark.details && mark.status === 'stale') {
    return h('details', props, [
      h('summary', line(mark, words, w.whatChanged)),
      h('div.step-mark-body', [
        h(
          'ul',
          mark.changed.map((c) => h('li', c)),
        ),
        link,
      ]),
    ]);
  }
  return h('div', props, [h('p.step-mark-line', line(mark, words))]);
}
