/**
 * Drop-in pages: a page of the guide in its Docusaurus or Hugo Markdown form builds as it is: its
 * boxes, Hugo notices, refs and figures render as their Starlight equivalents, and only syntax with no
 * equivalent (or a missing page or image) stops the build with file:line and what to do instead.
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
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AstroIntegration } from 'astro';
import type { MdastPluginDefinition, PluginFactoryContext } from 'satteri';
import {
  findShortcodesInMdx,
  findUnsupported,
  unsupportedMessage,
  type SyntaxNode,
  type Unsupported,
} from './unsupported-syntax.ts';
import { equivalentsPlugin } from './equivalents.ts';
import { relativeLinksPlugin } from './relative-links.ts';
import { stepImagesPlugin } from '../step-images.ts';

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

interface DropInOptions {
  /** The project root file names are shown relative to. */
  root: string;
  /** The site's base path (SITE_BASE), for images served from public/. Default `/`. */
  base?: string;
  /** Called with each page's message before it is thrown. */
  failed?: (message: string) => void;
}

/**
 * The drop-in pipeline of one page as Sätteri mdast plugins: Docusaurus/Hugo syntax rendered as its
 * Starlight equivalent (equivalents.ts), then what is left checked (unsupported-syntax.ts), links
 * between pages resolved (relative-links.ts), and every finding of the page thrown at once.
 */
export function dropInPlugin({
  root,
  base = '/',
  failed = () => {},
}: DropInOptions): (ctx: PluginFactoryContext) => MdastPluginDefinition[] {
  const docsDir = path.join(root, 'src/content/docs');
  return ({ fileURL, source, sourceFormat }) => {
    const from = fileURLToPath(fileURL ?? pathToFileURL(path.join(root, '(Markdown)')));
    const file = fileURL ? path.relative(root, from) : '(Markdown)';
    const offset = linesBefore(fileURL, source);
    const found: Unsupported[] = [];
    const links: string[] = [];
    const handled: Array<[number, number]> = [];
    const stop = (): void => {
      if (found.length === 0 && links.length === 0) return;
      const message = [
        ...(found.length
          ? [
              unsupportedMessage(
                file,
                found.map((f) => ({ ...f, line: f.line + offset })).sort((a, b) => a.line - b.line),
              ),
            ]
          : []),
        ...links,
      ].join('\n');
      failed(message);
      throw new Error(message);
    };
    // The MDX parser would stop at a shortcode first, without saying what to write.
    if (sourceFormat === 'mdx') {
      found.push(...findShortcodesInMdx(source));
      stop();
    }
    const inDocs = fileURL !== undefined && from.startsWith(docsDir + path.sep);
    return [
      equivalentsPlugin({ root, from, docsDir, publicDir: path.join(root, 'public'), base, found, handled }),
      {
        name: 'vdocs-unsupported-syntax',
        options: { position: true },
        before: (tree, ctx) =>
          void found.push(
            ...findUnsupported(tree as SyntaxNode, ctx.source, sourceFormat === 'mdx' ? 'mdx' : 'markdown', handled),
          ),
      },
      // Links between pages as the guide writes them (`../x/y.md`): the other page's route, or a stop at file:line.
      ...(inDocs ? [relativeLinksPlugin(root, docsDir, from, offset, (message) => links.push(message))] : []),
      { name: 'vdocs-drop-in-stop', before: stop },
    ];
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
          throw new Error(
            `drop-in 페이지 검사는 Sätteri Markdown 처리기에만 붙습니다 (지금: ${processor.name}). astro.config.mjs 의 markdown.processor 를 지우세요.`,
          );
        }
        failures.clear();
        const root = fileURLToPath(config.root);
        // Links between pages as the guide writes them (`../x/y.md`): the other page's route, or a stop at file:line.
        // Then a Markdown image with `step=` in its title becomes its screenshot figure (../step-images.ts).
        processor.options.mdastPlugins.unshift(
          dropInPlugin({
            root,
            base: config.base,
            failed: (message) => failures.set(message.split(':')[0] ?? message, message),
          }),
          stepImagesPlugin,
        );
      },
      'astro:build:start': () => {
        if (failures.size > 0) throw new Error([...failures.values()].join('\n\n'));
      },
    },
  };
}
