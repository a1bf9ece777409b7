import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { at, blockHash, pageHashes, readPage } from '../scripts/lib/page.ts';
import { readReport } from '../scripts/runbook/report.ts';
import { reportPath, verifiedPages } from '../scripts/verify/pages.ts';

/**
 * The reports committed for the site come from real runs of the current page: every page declares
 * its Kubernetes versions, each has a schema-valid report, and no block changed since it was run.
 * Editing a command or an output on the page fails here with file:line until it is verified again.
 */
const pages = verifiedPages(process.cwd());

describe.each(pages.flatMap((p) => p.kubernetes.map((v) => [`${p.runbook} @ Kubernetes ${v}`, p, v] as const)))('%s', (_label, page, minor) => {
  const file = reportPath('reports', page.runbook, minor);

  it(`Kubernetes ${minor}: a schema-valid report from a run exists`, () => {
    expect(fs.existsSync(file), `${file} is missing: run npm run verify -- --kubernetes ${minor} and commit reports/`).toBe(true);
    const report = readReport(file);
    expect(report.page).toBe(page.file);
    expect(report.kubernetes.startsWith(`v${minor}.`)).toBe(true);
    expect(['kwok', 'kind']).toContain(report.provider);
  });

  it(`Kubernetes ${minor}: no block of the page changed since that run`, () => {
    const report = readReport(file);
    const current = readPage(page.file);
    const stale: string[] = [];
    const hashes = pageHashes(current);
    const lines = new Map([...current.blocks, ...current.anchors].map((b) => [b.id, b.line]));
    for (const step of report.steps) {
      for (const [id, hash] of Object.entries(step.blockHashes ?? {})) {
        if (!hashes.has(id)) stale.push(`${current.file}: ${step.id} 가 읽은 블록 ${id} 가 ${path.basename(file)} 를 만든 뒤 사라졌습니다.`);
        else if (hashes.get(id) !== hash) stale.push(`${at(current, lines.get(id) ?? 0)}: ${step.id} 가 읽은 블록 ${id} 가 ${path.basename(file)} 를 만든 실행 뒤에 바뀌었습니다.`);
      }
    }
    expect(stale, `다시 검증하세요: npm run verify -- --kubernetes ${minor} 후 reports/ 를 커밋`).toEqual([]);
  });
});

describe('the staleness check can fail', () => {
  it('a one-character change in a command is reported with file:line', () => {
    const page = pages[0]!;
    const report = readReport(reportPath('reports', page.runbook, page.kubernetes[0]!));
    const current = readPage(page.file);
    const block = current.blocks.find((b) => b.id === 'config/apply')!;
    const step = report.steps.find((s) => s.id === 'config/apply')!;
    expect(step.blockHashes?.['config/apply-output'], 'output blocks are fingerprinted too').toBeDefined();
    expect(blockHash(block.code)).toBe(step.blockHash);
    expect(blockHash(block.code.replace('metallb_config', 'metalb_config'))).not.toBe(step.blockHash);
  });
});
