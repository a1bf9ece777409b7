import fs from 'node:fs';
import path from 'node:path';
import type { Link } from 'mdast';
import type { MdastPluginDefinition } from 'satteri';

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
  const rel = path
    .relative(docsDir, file)
    .split(path.sep)
    .join('/')
    .replace(/\.mdx?$/i, '');
  return `${rel.replace(/(^|\/)index$/i, '').toLowerCase()}/`.replace(/^\/$/, '');
}

/** The link's new URL, or an error sentence when its page is not in the site. */
function resolvePageLink(
  root: string,
  docsDir: string,
  from: string,
  url: string,
): { url: string } | { error: string } | undefined {
  const m = PAGE_LINK.exec(url);
  if (!m) return undefined;
  const target = path.resolve(path.dirname(from), decodeURIComponent(m[1]!));
  if (!target.startsWith(docsDir + path.sep) || !fs.existsSync(target)) {
    return {
      error: `링크 ${url} 가 가리키는 페이지 ${path.relative(root, target)} 가 사이트에 없습니다. 그 페이지를 ${path.relative(root, docsDir)} 아래에 넣거나 링크를 고치세요.`,
    };
  }
  return { url: routeLink(docsDir, from, target, m[2]) };
}

/** The URL of page file `target` as seen from page file `from`, relative so it works under any SITE_BASE; `hash` kept (`#…`). */
export function routeLink(docsDir: string, from: string, target: string, hash = ''): string {
  const relative = path.posix.relative(`/${routeOf(docsDir, from)}`, `/${routeOf(docsDir, target)}`);
  return `${relative === '' ? './' : `${relative}/`}${hash}`;
}

/**
 * The Sätteri mdast plugin for page file `from`: each bad link is handed to `report` as
 * `file:line: message` (`offset`: lines of the file before the text the parser got).
 */
export function relativeLinksPlugin(
  root: string,
  docsDir: string,
  from: string,
  offset: number,
  report: (message: string) => void,
): MdastPluginDefinition {
  return {
    name: 'vdocs-relative-links',
    options: { position: true },
    link: (node: Readonly<Link>) => {
      const resolved = resolvePageLink(root, docsDir, from, node.url);
      if (!resolved) return undefined;
      if ('error' in resolved) {
        report(
          `${path.relative(root, from)}:${node.position ? node.position.start.line + offset : '?'}: ${resolved.error}`,
        );
        return undefined;
      }
      return { ...node, url: resolved.url } as Link;
    },
  };
}
