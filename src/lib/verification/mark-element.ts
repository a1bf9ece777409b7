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
import { ALREADY_NOTE, ERROR_NOTE, STANDIN_NOTE, STEP_ICON, STEP_LABEL, WRITTEN_NOTE, stepAnchor } from './labels.ts';
import type { Mark } from '../../../scripts/model/verdict.ts';

/** The one-line part of a mark: icon (decorative), a screen-reader prefix, the status word. */
function line(mark: Mark, more?: string): ElementContent[] {
  return [
    h('span.step-mark-icon', { ariaHidden: 'true' }, STEP_ICON[mark.status]),
    h('span.sr-only', '검증 결과: '),
    h('span.step-mark-label', STEP_LABEL[mark.status]),
    ...(more ? [h('span.step-mark-more', more)] : []),
  ];
}

function output(title: string, text: string | undefined): ElementContent[] {
  return text === undefined ? [] : [h('p.step-mark-heading', title), h('pre.step-mark-output', text)];
}

/** The details body of a failed step: problems, then expected (page) versus actual (cluster). */
function failure(mark: Mark): ElementContent[] {
  const step = mark.step;
  if (!step) return [];
  return [
    ...(step.problems.length > 0 ? [h('ul.step-mark-problems', step.problems.map((p) => h('li', p)))] : []),
    ...output('기대한 출력 (페이지)', step.expected),
    ...output('실제 출력 (클러스터)', step.actual),
  ];
}

/**
 * The mark element for a block or figure. `detailsHref` links to the step on the details page
 * (`…/verification/<runbook>/<minor>/#step-…`).
 */
export function markElement(mark: Mark, detailsHref: string): Element {
  const props = { className: ['step-mark', 'not-content'], dataStatus: mark.status, dataMarkFor: mark.stepId };
  const link = h('p.step-mark-link', [h('a', { href: `${detailsHref}#${stepAnchor(mark.stepId)}` }, '단계별 검증 기록에서 보기')]);
  const reason = mark.step?.reason;
  if (mark.details && mark.status === 'failed') {
    return h('details', props, [h('summary', line(mark, '기대한 출력과 실제 출력 보기')), h('div.step-mark-body', [...failure(mark), link])]);
  }
  if (mark.details && mark.status === 'skipped' && reason) {
    return h('details', props, [h('summary', line(mark, '이유 보기')), h('div.step-mark-body', [h('p', reason), link])]);
  }
  if (mark.status === 'manual' && reason) {
    return h('div', props, [h('p.step-mark-line', line(mark)), h('p.step-mark-reason', reason)]);
  }
  if (mark.details && mark.status === 'standin') {
    return h('details', props, [h('summary', line(mark, '왜 ✓ 가 아닌가요?')), h('div.step-mark-body', [h('p', mark.why ?? STANDIN_NOTE), link])]);
  }
  if (mark.details && mark.status === 'error') {
    return h('details', props, [h('summary', line(mark, '무엇이 맞지 않나요?')), h('div.step-mark-body', [h('p', ERROR_NOTE), h('p', mark.why ?? ''), link])]);
  }
  if (mark.details && mark.status === 'already') {
    return h('details', props, [h('summary', line(mark, '왜 ✓ 가 아닌가요?')), h('div.step-mark-body', [h('p', ALREADY_NOTE), ...(mark.why ? [h('p', mark.why)] : []), link])]);
  }
  if (mark.details && mark.status === 'written') {
    return h('details', props, [h('summary', line(mark, '왜 ✓ 가 아닌가요?')), h('div.step-mark-body', [h('p', WRITTEN_NOTE), link])]);
  }
  if (mark.details && mark.status === 'stale') {
    return h('details', props, [h('summary', line(mark, '무엇이 바뀌었나요?')), h('div.step-mark-body', [h('ul', mark.changed.map((c) => h('li', c))), link])]);
  }
  return h('div', props, [h('p.step-mark-line', line(mark))]);
}
