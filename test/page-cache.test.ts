import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPage } from '../scripts/model/page.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'page-cache-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('the runner reads a page version once (readPage with cacheDir)', () => {
  const cacheDir = path.join(tmp, 'pages');
  const page = 'src/content/docs/appendix/metallb.md';
  const same = (p: ReturnType<typeof readPage>) => ({ ...p, blocks: p.blocks.map((b) => ({ ...b, meta: [b.meta.getString('step'), b.meta.getString('of'), b.meta.getString('title'), b.meta.getRange('ins'), b.meta.list().length] })) });

  it('gives back exactly the page the parser gives, fence meta included', () => {
    const parsed = readPage(page);
    const first = readPage(page, process.cwd(), { cacheDir });
    expect(fs.readdirSync(cacheDir)).toHaveLength(1);
    const cached = readPage(page, process.cwd(), { cacheDir });
    expect(same(cached)).toEqual(same(parsed));
    expect(same(first)).toEqual(same(parsed));
    expect(cached.blocks.some((b) => b.meta.getRange('ins') !== undefined)).toBe(true);
  });

  it('an edited page is parsed again; an invalid one is never stored; a damaged entry is parsed again', () => {
    const copy = path.join(tmp, 'copy.md');
    const text = fs.readFileSync(page, 'utf8');
    fs.writeFileSync(copy, text);
    const before = readPage(copy, process.cwd(), { cacheDir });
    fs.writeFileSync(copy, text.replace('strictARP: false\n```', 'strictARP: maybe\n```'));
    const after = readPage(copy, process.cwd(), { cacheDir });
    expect(after.blocks.find((b) => b.id === 'strict-arp/check-output')?.code).toBe('strictARP: maybe');
    expect(before.blocks.find((b) => b.id === 'strict-arp/check-output')?.code).toBe('strictARP: false');
    const entries = fs.readdirSync(cacheDir).length;
    fs.writeFileSync(copy, text.replace('step="strict-arp/check"', 'step="Strict ARP"'));
    expect(() => readPage(copy, process.cwd(), { cacheDir })).toThrow(/step id "Strict ARP" 의 형식/);
    expect(() => readPage(copy, process.cwd(), { cacheDir })).toThrow(/step id "Strict ARP" 의 형식/);
    expect(fs.readdirSync(cacheDir)).toHaveLength(entries);
    for (const f of fs.readdirSync(cacheDir)) fs.writeFileSync(path.join(cacheDir, f), '{broken');
    expect(readPage(page, process.cwd(), { cacheDir }).blocks.length).toBe(readPage(page).blocks.length);
  });
});
