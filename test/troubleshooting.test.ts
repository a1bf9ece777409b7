import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** The known-issues page names real error codes: each one the page mentions is thrown by the tools. */
const page = fs.readFileSync('src/content/docs/troubleshooting.md', 'utf8');
const sources = fs
  .readdirSync('scripts', { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => fs.readFileSync(path.join('scripts', f), 'utf8'))
  .join('\n');
const codes = [...page.matchAll(/`\[([A-Z_]+)\]`/g)].map((m) => m[1] ?? '');

describe('문제 해결 page', () => {
  it('documents the errors a user meets first', () => {
    for (const code of [
      'NO_SANDBOX',
      'CONFIRMATION_REQUIRED',
      'UNKNOWN_CONTEXT',
      'BINDING',
      'UNKNOWN_STEP',
      'API_UNREACHABLE',
      'MIRROR_MISSING',
      'GO_NOT_FOUND',
    ])
      expect(codes).toContain(code);
  });

  it('says each thing once: no heading appears twice', () => {
    const headings = page.split('\n').filter((l) => /^#{2,4} /.test(l));
    expect(headings.filter((h, i) => headings.indexOf(h) !== i)).toEqual([]);
  });

  it.each(codes.map((c) => [c]))('%s is an error code the tools really use', (code) => {
    expect(sources).toContain(`'${code}'`);
  });

  it('lists every error code the tools can print', () => {
    // Quoted names that are not error codes: an environment variable, and the stand-in web server's container env.
    const notCodes = new Set(['RUNBOOK_MIRROR', 'STANDIN_TITLE', 'STANDIN_SERVICE', 'STANDIN_PORTS', 'POD_NAME']);
    const thrown = [
      ...new Set([...sources.matchAll(/'([A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9])'/g)].map((m) => m[1] ?? '')),
    ].filter((c) => !notCodes.has(c));
    expect(thrown.length).toBeGreaterThan(40);
    expect(thrown.filter((c) => !page.includes(`\`${c}\``))).toEqual([]);
  });

  it("quotes the runner's own wording for the failures it explains", () => {
    for (const text of [
      '를 내려받지 못했습니다',
      '의 sha256 이 고정값과 다릅니다',
      '준비된 파드',
      '바뀐 뒤 아직 검증되지 않음',
      '검증 오류: 보고서가 증거와 맞지 않음',
      '이미 적용되어 있음',
      '대역으로 확인',
      '부분 실행',
    ]) {
      expect(page).toContain(text);
      expect(sources + fs.readFileSync('src/lib/verification/labels.ts', 'utf8')).toContain(text);
    }
    // The table matcher's sentence: `<row> 행의 <column>: 기대 "<page>", 실제 "<cluster>"`.
    expect(page).toContain('행의 EXTERNAL-IP: 기대 "192.168.35.100", 실제');
    expect(sources).toContain('행의 ${column}: 기대 "${template[column]}", 실제 "${row[column]}"');
  });
});
