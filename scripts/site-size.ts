#!/usr/bin/env node
/**
 * `node scripts/site-size.ts [--dist dist] [route ...]`: what a built page ships, in bytes raw and gzip -9: its HTML, the
 * initial scripts and stylesheets (bench/site.ts `pageBytes`), and the idle chunks those import dynamically right after
 * load (Starlight's Pagefind UI, on every page). The search itself loads only on a query and is not counted.
 * Defaults: dist/, routes appendix/metallb and /.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSize, pageBytes } from './bench/site.ts';
import type { Io } from './lib/io.ts';
import { runMain } from './lib/main.ts';

interface Tier {
  raw: number;
  gzip: number;
  files: string[];
}

/** Measures one built route (`''` for the index). */
export function pageSize(dist: string, route: string) {
  const initial = pageBytes(dist, route);
  const htmlFile = path.join(dist, initial.html);
  const html = fs.readFileSync(htmlFile);
  const idle: Tier = { raw: 0, gzip: 0, files: [] };
  for (const file of initial.files.filter((f) => f.endsWith('.js'))) {
    const text = fs.readFileSync(path.join(dist, file), 'utf8');
    for (const [, spec = ''] of text.matchAll(/\bimport\(\s*[`'"](\.\/[^`'"$]+\.js)[`'"]\s*\)/g)) {
      const target = path.join(path.dirname(file), spec);
      if (idle.files.includes(target) || initial.files.includes(target)) continue;
      const content = fs.readFileSync(path.join(dist, target));
      idle.files.push(target);
      idle.raw += content.length;
      idle.gzip += gzipSize(content);
    }
  }
  return { route, html: { raw: html.length, gzip: gzipSize(html), files: [initial.html] }, initial, idle };
}

export async function main(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { dist: { type: 'string', default: 'dist' } },
    allowPositionals: true,
  });
  const dist = path.resolve(io.cwd, values.dist);
  if (!fs.existsSync(path.join(dist, 'index.html'))) {
    io.err(`✗ ${dist} 에 빌드된 사이트가 없습니다.\n  먼저 빌드하세요: npm run build\n`);
    return 1;
  }
  const b = (n: number) => n.toLocaleString('en-US');
  const pair = (raw: number, gz: number) => `${b(raw)} / ${b(gz)}`;
  io.out(
    '| page | HTML raw / gzip (B) | initial JS raw / gzip (B) | initial CSS raw / gzip (B) | idle JS raw / gzip (B) |\n',
  );
  io.out('|---|---|---|---|---|\n');
  for (const route of positionals.length > 0 ? positionals : ['appendix/metallb', '']) {
    const s = pageSize(dist, route.replace(/^\/|\/$/g, ''));
    const { initial: i } = s;
    io.out(
      `| /${s.route}${s.route ? '/' : ''} | ${pair(s.html.raw, s.html.gzip)} | ${pair(i.jsRaw, i.jsGzip)} | ${pair(i.cssRaw, i.cssGzip)} | ${pair(s.idle.raw, s.idle.gzip)} |\n`,
    );
    io.err(`  /${s.route}: initial ${i.files.join(', ')} (+ inline); idle ${s.idle.files.join(', ') || '-'}\n`);
  }
  return 0;
}

if (import.meta.main) await runMain(main);
