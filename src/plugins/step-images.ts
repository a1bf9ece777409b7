/**
 * A screenshot written as a Markdown image with its step id in the title,
 *
 *   ![설명](./img/x.png "step=minio/browser")      or      ![설명](./img/x.png "제목 step=minio/browser")
 *
 * is the same anchor for the runbook as `<figure class="screenshot" data-step="minio/browser">`
 * (scripts/model/page.ts, `IMAGE_STEP`). So the site renders it as that figure, holding the image:
 *
 *   <figure class="screenshot" data-step="minio/browser"><img src="…" alt="설명" title="제목"></figure>
 *
 * and the verification mark goes inside it like any screenshot figure's (src/lib/verification/figures.ts).
 * `step=…` leaves the title, so it never shows as a tooltip; the other title words stay. Text around
 * the image in the same paragraph stays, as paragraphs before and after the figure. Pages without a
 * runbook get the figure too, without a mark.
 */
import type { Image, Paragraph, PhrasingContent } from 'mdast';
import type { MdastPluginDefinition } from 'satteri';
import { IMAGE_STEP } from '../../scripts/model/page.ts';

/** The step id of an image, or of the first image inside a link or emphasis around one. */
function stepOf(node: PhrasingContent): string | undefined {
  if (node.type === 'image') return IMAGE_STEP.exec(node.title ?? '')?.[1];
  return 'children' in node ? node.children.map(stepOf).find((id) => id !== undefined) : undefined;
}

/** The node with `step=…` taken out of its images' titles (no title left: none). */
function withoutStep(node: PhrasingContent): PhrasingContent {
  if (node.type === 'image') {
    const title = (node.title ?? '').replace(IMAGE_STEP, ' ').replace(/\s+/g, ' ').trim();
    const image: Image = { type: 'image', url: node.url, alt: node.alt ?? '', title: title || null };
    return node.position ? { ...image, position: node.position } : image;
  }
  return 'children' in node ? ({ ...node, children: node.children.map(withoutStep) } as PhrasingContent) : node;
}

const blank = (run: PhrasingContent[]): boolean => run.every((c) => c.type === 'text' && c.value.trim() === '');

/** The Sätteri mdast plugin: each paragraph with a step image becomes its figures and the text around them. */
export const stepImagesPlugin: MdastPluginDefinition = {
  name: 'vdocs-step-images',
  options: { position: true },
  paragraph: (node, ctx) => {
    if (!node.children.some((c) => stepOf(c) !== undefined)) return;
    const out: Paragraph[] = [];
    let run: PhrasingContent[] = [];
    const flush = (): void => {
      if (!blank(run)) out.push({ type: 'paragraph', children: run });
      run = [];
    };
    for (const child of node.children) {
      const id = stepOf(child);
      if (id === undefined) {
        run.push(child);
        continue;
      }
      flush();
      out.push({
        type: 'paragraph',
        data: { hName: 'figure', hProperties: { className: ['screenshot'], dataStep: id } },
        children: [withoutStep(child)],
      });
    }
    flush();
    ctx.replaceNode(node, out);
  },
};
