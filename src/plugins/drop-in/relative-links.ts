import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Link } from 'mdast';
import type { MdastPluginDefinition, PluginFactoryContext } from 'satteri';

/**
 * Links between pages as a Docusaurus guide writes them: `[text](../setup/gpu.md#drivers)`, a path
 * to the other page's file, relative to this one. Each becomes the other page's route, relative to
 * this page's route (`../../setup/gpu/#drivers`), so it works under any SITE_BASE; a link to a file
 * the site does not have stops the build with file:line. Links with a scheme, absolute paths and
 * anchors alone are left to the link validator.
 */
const PAGE_LINK = /^(?![a-z][a-z0-9+.-]*:)(?![/#?])([^?#]+\.mdx?)(#.*)?$/i;

/** A page's route under the docs folder, as Starlight makes it: `appendix/metallb.md` → `appendix/metallb/`, `x/index.md` → `x/`. */
function routeOf(docsDir: string, file: string): string {
  const rel = path.relative(docsDir, file).split(path.sep).join('/').replace(/\.mdx?$/i, '');
  return `${rel.replace(/(^|\/)index$/i, '').toLowerCase()}/`.replace(/^\/$/, '');
}

/** The link's new URL, or an error sentence when its page is not in the site. */
function resolvePageLink(root: string, docsDir: string, from: string, url: string): { url: string } | { error: string } | undefined {
  const m = PAGE_LINK.exec(url);
  if (!m) return undefined;
  const target = path.resolve(path.dirname(from), decodeURIComponent(m[1]!));
  if (!target.startsWith(docsDir + path.sep) || !fs.existsSync(target)) {
    return { error: `링크 ${url} 가 가리키는 페이지 ${path.relative(root, target)} 가 사이트에 없습니다. 그 페이지를 ${path.relative(root, docsDir)} 아래에 넣거나 링크를 고치세요.` };
  }
  const here = `/${routeOf(docsDir, from)}`;
  const there = `/${routeOf(docsDir, target)}`;
  const relative = path.posix.relative(here, there);
  return { url: `${relative === '' ? './' : `${relative}/`}${m[2] ?? ''}` };
}

/**
 * The Sätteri mdast plugin; `failed` is called with each bad link's `file:line: message` before it is
 * thrown; `linesBefore` says how many lines of the file precede the text the parser got.
 */
export function relativeLinksPlugin(root: string, docsDir: string, linesBefore: (fileURL: URL, source: string) => number, failed: (message: string) => void = () => {}): (ctx: PluginFactoryContext) => MdastPluginDefinition | undefined {
  return ({ fileURL, source }) => {
    if (!fileURL) return undefined;
    const from = fileURLToPath(fileURL);
    if (!from.startsWith(docsDir + path.sep)) return undefined;
    const offset = linesBefore(fileURL, source);
    return {
      name: 'vdocs-relative-links',
      options: { position: true },
      link: (node: Readonly<Link>) => {
        const resolved = resolvePageLink(root, docsDir, from, node.url);
        if (!resolved) return undefined;
        if ('error' in resolved) {
          const message = `${path.relative(root, from)}:${node.position ? node.position.start.line + offset : '?'}: ${resolved.error}`;
          failed(message);
          throw new Error(message);
        }
        return { ...node, url: resolved.url } as Link;
      },
    };
  };
}
