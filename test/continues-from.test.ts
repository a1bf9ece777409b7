import { describe, expect, it } from 'vitest';
import { projectFrontmatter } from '../scripts/model/frontmatter.ts';
import { continuationChain, verifiedPages, type VerifiedPage } from '../scripts/model/pages.ts';
import { RunReport } from '../scripts/model/report.ts';
import { continuesLabel } from '../src/lib/verification/labels.ts';

/**
 * Each page is verified on a sandbox of its own unless it declares the page it continues from
 * (`runbook.continuesFrom`): then verify runs that page first on the same sandbox, and the report says so.
 */
const page = (runbook: string, continuesFrom?: string): VerifiedPage => ({
  file: `src/content/docs/${runbook}.md`,
  title: runbook,
  runbook,
  kubernetes: ['1.37'],
  order: 0,
  slug: runbook,
  ...(continuesFrom ? { continuesFrom } : {}),
});

describe('runbook.continuesFrom', () => {
  it("the site's pages declare none today: each starts from a clean sandbox", () => {
    for (const p of verifiedPages(process.cwd()))
      expect(continuationChain(p, verifiedPages(process.cwd()))).toEqual([p]);
  });

  it('runs the pages a page continues from first, followed back, in order', () => {
    const a = page('a');
    const b = page('b', 'a');
    const c = page('c', 'b');
    expect((continuationChain(c, [a, b, c]) as VerifiedPage[]).map((p) => p.runbook)).toEqual(['a', 'b', 'c']);
  });

  it('names a page no runbook declares, and a loop, with the page to fix', () => {
    expect(continuationChain(page('b', 'nope'), [page('b', 'nope')])).toEqual({
      error:
        'src/content/docs/b.md: runbook.continuesFrom 의 "nope" 을 runbook.name 으로 밝힌 페이지가 없습니다 (있는 런북: b).',
    });
    const x = page('x', 'y');
    const y = page('y', 'x');
    expect(continuationChain(x, [x, y])).toEqual({
      error: 'src/content/docs/x.md: runbook.continuesFrom 이 돌고 돕니다: x → y → x.',
    });
  });

  it('is a runbook name in the frontmatter; the report records the chain and the badge says it', () => {
    expect(
      projectFrontmatter({ runbook: { name: 'b', kubernetes: ['1.37'], continuesFrom: 'a' } }, 'b.md').runbook
        ?.continuesFrom,
    ).toBe('a');
    expect(() =>
      projectFrontmatter({ runbook: { name: 'b', kubernetes: ['1.37'], continuesFrom: 'A page' } }, 'b.md'),
    ).toThrow('runbook.continuesFrom 은 이어지는 페이지의 런북 이름입니다');
    expect(RunReport.shape.continuesFrom.parse(['a', 'b'])).toEqual(['a', 'b']);
    expect(continuesLabel(['a', 'b'])).toBe('앞 페이지(a → b)를 먼저 실행한 같은 클러스터에서 검증');
  });
});
