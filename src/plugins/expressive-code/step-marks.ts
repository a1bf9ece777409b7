/**
 * Expressive Code plugin: shows the verification status of each fenced block's step under the block.
 *
 * The rendered group `<div class="expressive-code">…</div>` is wrapped as
 *   <div class="step-block" data-status="passed"> <div class="expressive-code">…</div> <div class="step-mark">…</div> </div>
 * so the mark lives outside the code, outside the copy button's text and outside EC's style reset.
 * Statuses come from the page's primary report (src/lib/verification/); a page without a runbook or
 * without a primary report gets no marks.
 *
 * Caching: the rendered Markdown depends on the reports, which Astro's content cache does not track.
 * starlight-links-validator clears that cache on every build; the site-verification test builds twice
 * with different reports and fails if marks ever go stale.
 */
import { definePlugin, type ExpressiveCodePlugin } from '@astrojs/starlight/expressive-code';
import { h } from '@astrojs/starlight/expressive-code/hast';
import { withBase } from '../../lib/verification/labels.ts';
import { markElement } from '../../lib/verification/mark-element.ts';
import { primaryMarks } from '../../lib/verification/page-marks.ts';
import { readStepMeta } from './step-meta.ts';

interface StepMarksOptions {
  /** The site's base path (`SITE_BASE`), for links to the details pages. Default `/`. */
  base?: string;
}

export function pluginStepMarks(options: StepMarksOptions = {}): ExpressiveCodePlugin {
  const base = options.base ?? '/';
  return definePlugin({
    name: 'runbook-step-marks',
    hooks: {
      postprocessRenderedBlockGroup: async ({ renderedGroupContents, renderData }) => {
        const codeBlock = renderedGroupContents[0]?.codeBlock;
        const meta = codeBlock && readStepMeta(codeBlock.metaOptions);
        const file = codeBlock?.parentDocument?.sourceFilePath;
        if (!meta || !file) return;
        const page = await primaryMarks(file);
        const mark = page?.blocks.get(meta.step);
        if (!page || !mark) return;
        renderData.groupAst = h('div.step-block', { dataStatus: mark.status }, [
          renderData.groupAst,
          markElement(mark, withBase(base, page.details), page.words),
        ]);
      },
    },
  });
}
