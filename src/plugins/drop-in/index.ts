/**
 * Drop-in pages: a page of the guide in its Docusaurus or Hugo Markdown form builds as it is, and
 * syntax that cannot work here stops the build with file:line and what to write instead.
 *
 * Astro 7 renders Markdown with Sätteri (`markdown.processor`), whose mdast plugins play the part
 * remark plugins used to: `markdown.remarkPlugins` would need @astrojs/markdown-remark, which is not
 * installed. This integration puts the check first in the processor's mdast plugins, before
 * Starlight's asides plugin turns `:::` boxes into HTML, for `.md` and `.mdx` alike.
 *
 * Astro's content loader only logs an error thrown while rendering a page ("Error rendering …") and
 * keeps the page, empty. So each finding is also kept here, and the build stops at `astro:build:start`,
 * after the content is loaded, listing them all. (Every build renders every page again because
 * starlight-links-validator clears the content cache.)
 * The frontmatter side lives in scripts/model/frontmatter.ts; localhost links in astro.config.mjs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';
import type { MdastPluginDefinition, PluginFactoryContext } from 'satteri';
import { findShortcodesInMdx, findUnsupported, unsupportedMessage, type SyntaxNode, type Unsupported } from './unsupported-syntax.ts';
import { relativeLinksPlugin } from './relative-links.ts';

/**
 * Lines of the file before the text the parser got: Astro's content loader hands it the body after
 * the frontmatter, trimmed; its Markdown pages get the whole file with the frontmatter blanked.
 */
function linesBefore(fileURL: URL | undefined, source: string): number {
  if (!fileURL) return 0;
  const whole = readFileSync(fileURL, 'utf8');
  const start = Math.max(0, whole.lastIndexOf(source));
  return whole.slice(0, start).split('\n').length - 1;
}

/**
 * The check as a Sätteri mdast plugin. `root`: the project root file names are shown relative to;
 * `failed`: called with each page's message before it is thrown.
 */
export function unsupportedSyntaxPlugin(root: string, failed: (message: string) => void = () => {}): (ctx: PluginFactoryContext) => MdastPluginDefinition {
  return ({ fileURL, source, sourceFormat }) => {
    const stop = (found: Unsupported[], parsed: string): void => {
      if (found.length === 0) return;
      const offset = linesBefore(fileURL, parsed);
      const file = fileURL ? path.relative(root, fileURLToPath(fileURL)) : '(Markdown)';
      const message = unsupportedMessage(file, found.map((f) => ({ ...f, line: f.line + offset })));
      failed(message);
      throw new Error(message);
    };
    // The MDX parser would stop at a shortcode first, without saying what to write.
    if (sourceFormat === 'mdx') stop(findShortcodesInMdx(source), source);
    return {
      name: 'vdocs-unsupported-syntax',
      options: { position: true },
      before: (tree, ctx) => stop(findUnsupported(tree as SyntaxNode, ctx.source, sourceFormat === 'mdx' ? 'mdx' : 'markdown'), ctx.source),
    };
  };
}

/** Registers the check with the site's Markdown processor; a processor it cannot extend stops the build. */
export function dropInPages(): AstroIntegration {
  const failures = new Map<string, string>();
  return {
    name: 'vdocs-drop-in-pages',
    hooks: {
      'astro:config:setup': ({ config }) => {
        const processor = config.markdown.processor as { name: string; options?: { mdastPlugins?: unknown[] } };
        if (processor.name !== 'satteri' || !Array.isArray(processor.options?.mdastPlugins)) {
          throw new Error(`drop-in 페이지 검사는 Sätteri Markdown 처리기에만 붙습니다 (지금: ${processor.name}). astro.config.mjs 의 markdown.processor 를 지우세요.`);
        }
        failures.clear();
        const root = fileURLToPath(config.root);
        // Links between pages as the guide writes them (`../x/y.md`): the other page's route, or a stop at file:line.
        processor.options.mdastPlugins.unshift(relativeLinksPlugin(root, path.join(root, 'src/content/docs'), linesBefore, (message) => failures.set(message, message)));
        processor.options.mdastPlugins.unshift(unsupportedSyntaxPlugin(root, (message) => failures.set(message.split(':')[0] ?? message, message)));
      },
      'astro:build:start': () => {
        if (failures.size > 0) throw new Error([...failures.values()].join('\n\n'));
      },
    },
  };
}
