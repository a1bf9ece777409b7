import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Io } from '../lib/io.ts';
import { timed } from '../lib/timed.ts';

export interface PageBytes {
  html: string;
  jsRaw: number;
  jsGzip: number;
  cssRaw: number;
  cssGzip: number;
  files: string[];
}

export const gzipSize = (b: Buffer | string) => zlib.gzipSync(b, { level: 9 }).length;

/**
 * What a built page ships: every script and stylesheet it references (external files, read from
 * dist/) plus inline <script> and <style>, raw and gzip. Each external file is counted once.
 */
export function pageBytes(dist: string, route: string): PageBytes {
  const html = path.join(dist, route, 'index.html');
  const text = fs.readFileSync(html, 'utf8');
  const bytes: PageBytes = { html: path.relative(dist, html), jsRaw: 0, jsGzip: 0, cssRaw: 0, cssGzip: 0, files: [] };
  const add = (kind: 'js' | 'css', content: Buffer | string) => {
    bytes[`${kind}Raw` as const] += Buffer.byteLength(content);
    bytes[`${kind}Gzip` as const] += gzipSize(content);
  };
  for (const m of text.matchAll(/<script\b[^>]*\bsrc="([^"]+)"[^>]*>/g)) external('js', m[1] ?? '');
  for (const m of text.matchAll(/<link\b[^>]*rel="(?:stylesheet|modulepreload)"[^>]*>/g)) {
    const href = /href="([^"]+)"/.exec(m[0])?.[1];
    if (href) external(m[0].includes('stylesheet') ? 'css' : 'js', href);
  }
  for (const m of text.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g))
    if (!/type="application\/(?:ld\+)?json"/.test(m[0])) add('js', m[1] ?? '');
  for (const m of text.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/g)) add('css', m[1] ?? '');
  // Module scripts import their chunks: follow static imports inside dist.
  function external(kind: 'js' | 'css', href: string) {
    const file = path.join(dist, href.replace(/^\/[^/]*?(?=\/_astro|\/pagefind)/, '').replace(/^\//, ''));
    const rel = path.relative(dist, file);
    if (bytes.files.includes(rel) || !fs.existsSync(file)) return;
    bytes.files.push(rel);
    const content = fs.readFileSync(file);
    add(kind, content);
    if (kind === 'js')
      for (const i of content.toString().matchAll(/(?:import|from)\s*["']\.\/([^"']+\.js)["']/g))
        external('js', path.join(path.dirname(href), i[1] ?? ''));
  }
  return bytes;
}

/** `npm run build` wall time, then the MetalLB page against a plain Starlight page (the index). */
export async function siteBytes(root: string, io: Io): Promise<{ buildMs: number; page: PageBytes; plain: PageBytes }> {
  const r = await timed('npm', ['run', '--silent', 'build'], { cwd: root, env: io.env as NodeJS.ProcessEnv });
  if (r.status !== 0) throw new Error(`npm run build 실패:\n${r.stderr.slice(-3000)}`);
  const dist = path.join(root, 'dist');
  return { buildMs: r.ms, page: pageBytes(dist, 'appendix/metallb'), plain: pageBytes(dist, '') };
}
