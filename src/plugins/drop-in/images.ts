/**
 * Images as the guide writes them: `![alt](./img/x.png)`, Hugo-era raw HTML `<img src="/images/x.png">`
 * (a file of Hugo's static/, which is Astro's public/) and `<img src="./img/x.png">` beside the page.
 * A file that is not there stops the build with file:line; one that is there is served:
 * `/…` gets the site's base (SITE_BASE), and a raw `<img>` beside the page becomes a Markdown image so
 * Astro's image pipeline copies it (raw HTML is copied as it is, and its relative path would 404).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Element, Nodes } from 'hast';
import { fromHtml } from 'hast-util-from-html';

/** Where a page's images are looked up. */
export interface ImageContext {
  /** The project root file names are shown relative to. */
  root: string;
  /** The page file. */
  from: string;
  /** Astro's public/ folder. */
  publicDir: string;
  /** The site's base path (`/`, `/verified-docs/`). */
  base: string;
}

/** Why an image cannot be shown, and what to do. */
interface ImageProblem {
  why: string;
  instead: string;
}

const EXTERNAL = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

/** What an image's `src` becomes here (undefined: another site's, left alone), or why it cannot work. */
export function imageSource(cx: ImageContext, src: string): { url: string } | { problem: ImageProblem } | undefined {
  if (!src || EXTERNAL.test(src)) return undefined;
  const file = decodeURIComponent(src.split(/[?#]/, 1)[0] ?? '');
  const name = path.basename(file);
  const beside = path.relative(cx.root, path.join(path.dirname(cx.from), name));
  if (file.startsWith('/')) {
    const base = cx.base.replace(/\/$/, '');
    if (base && file.startsWith(`${base}/`) && fs.existsSync(path.join(cx.publicDir, file.slice(base.length))))
      return { url: src };
    if (fs.existsSync(path.join(cx.publicDir, file))) return { url: `${base}${src}` };
    const publicFile = path.relative(cx.root, path.join(cx.publicDir, file));
    return {
      problem: {
        why: `그림 파일 ${publicFile} 이 없습니다 (Hugo 의 static/ 에 있던 파일은 Astro 에서는 public/ 에 둡니다).`,
        instead: `그림을 ${publicFile} 에 두거나, 페이지 옆 ${beside} 에 두고 src 를 ./${name} 로 바꾸세요`,
      },
    };
  }
  const at = path.resolve(path.dirname(cx.from), file);
  if (fs.existsSync(at)) return { url: /^\.\.?\//.test(src) ? src : `./${src}` };
  return {
    problem: {
      why: `그림 파일 ${path.relative(cx.root, at)} 이 없습니다 (src 는 페이지 파일에서 본 상대 경로입니다).`,
      instead: `그림을 ${path.relative(cx.root, at)} 에 두거나 src 를 그림이 있는 곳으로 고치세요 (사이트 전체의 그림은 public/ 에 두고 /이름.png)`,
    },
  };
}

/** One `<img>` of a raw HTML block: where its tag is in the block, and its attributes. */
interface HtmlImage {
  start: number;
  end: number;
  src: string;
  alt: string | undefined;
  width: string | undefined;
  height: string | undefined;
}

/** The `<img>` tags of a raw HTML block, parsed by hast-util-from-html (parse5). */
export function htmlImages(html: string): HtmlImage[] {
  const found: HtmlImage[] = [];
  const visit = (node: Nodes): void => {
    if (
      node.type === 'element' &&
      node.tagName === 'img' &&
      node.position?.start.offset !== undefined &&
      node.position.end.offset !== undefined
    ) {
      const attr = (name: string): string | undefined => {
        const value = (node as Element).properties[name];
        return value === undefined || value === null ? undefined : String(value);
      };
      found.push({
        start: node.position.start.offset,
        end: node.position.end.offset,
        src: attr('src') ?? '',
        alt: attr('alt'),
        width: attr('width'),
        height: attr('height'),
      });
    }
    if ('children' in node) node.children.forEach(visit);
  };
  visit(fromHtml(html, { fragment: true }));
  return found;
}
