import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Io } from '../lib/io.ts';
import type { Status } from '../lib/status.ts';
import { projectRoot } from '../lib/paths.ts';
import type { VerifyTiming } from '../verify/cli.ts';
import { timed } from '../lib/timed.ts';

/**
 * `npm run verify` measured on kwok: the MetalLB page's matrix, then 1…N pages on 1.37, the extra ones temporary copies
 * (`bench-copy-K`, page and runbook) removed afterwards even on failure; reports go to a scratch folder, never reports/.
 */
export interface VerifyFigures {
  matrix: { ms: number; runs: VerifyTiming[] };
  growth: { pages: number; ms: number; runs: VerifyTiming[] }[];
}

const PAGE = 'src/content/docs/appendix/metallb.md';
const COPY = /^bench-copy-\d+\.(md|ts)$/;

/** Copies a bench left behind when it was killed (no `finally` ran): they would be verified and built as pages. */
export function removeCopies(root = projectRoot): void {
  for (const dir of ['src/content/docs/appendix', 'runbooks'].map((d) => path.join(root, d)))
    for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) if (COPY.test(f)) fs.rmSync(path.join(dir, f));
}

/** The page with its own runbook name, title and place in the sidebar, declaring Kubernetes 1.37 only. */
export function pageCopy(text: string, k: number): string {
  const replaced = text
    .replace(/^title: "(.*)"$/m, `title: "$1 (벤치마크 사본 ${k})"`)
    .replace(/^  name: metallb$/m, `  name: bench-copy-${k}`)
    .replace(/^  kubernetes: \[.*\]$/m, '  kubernetes: ["1.37"]')
    .replace(/^  order: (\d+)$/m, (_, n: string) => `  order: ${Number(n) + 100 + k}`);
  if (!replaced.includes(`name: bench-copy-${k}`) || !replaced.includes('kubernetes: ["1.37"]'))
    throw new Error(
      `${PAGE} 의 frontmatter 모양이 바뀌어 벤치마크 사본을 만들 수 없습니다 (runbook.name, runbook.kubernetes).`,
    );
  return replaced;
}

/** One `npm run verify` (as node scripts/verify.ts, so npm's own start is not counted), its wall time and timings. */
async function verify(args: string[], io: Io, scratch: string): Promise<{ ms: number; runs: VerifyTiming[] }> {
  const timings = path.join(scratch, `timings-${Date.now()}.json`);
  const r = await timed(
    process.execPath,
    ['scripts/verify.ts', ...args, '--reports', path.join(scratch, 'reports'), '--timings', timings],
    { cwd: projectRoot, env: io.env as NodeJS.ProcessEnv, signal: io.signal },
  );
  if (r.status !== 0)
    throw new Error(
      `npm run verify -- ${args.join(' ')} 가 실패했습니다 (종료 코드 ${r.status}):\n${r.stderr.slice(-3000)}`,
    );
  return { ms: r.ms, runs: JSON.parse(fs.readFileSync(timings, 'utf8')) as VerifyTiming[] };
}

export async function measureVerify(io: Io, maxPages: number, status: Status): Promise<VerifyFigures> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-verify-'));
  removeCopies();
  try {
    const matrix = await verify(['--provider', 'kwok', '--page', 'metallb'], io, scratch);
    status.ok('npm run verify: MetalLB 페이지의 버전 매트릭스 (kwok)', matrix.ms);
    // Each copy: the page with its own runbook name, and a runbook re-exporting the MetalLB one for it.
    const text = fs.readFileSync(path.join(projectRoot, PAGE), 'utf8');
    for (let k = 1; k < maxPages; k++) {
      fs.writeFileSync(path.join(projectRoot, `src/content/docs/appendix/bench-copy-${k}.md`), pageCopy(text, k));
      fs.writeFileSync(
        path.join(projectRoot, `runbooks/bench-copy-${k}.ts`),
        `// Temporary (npm run bench): the MetalLB runbook for a copy of its page.\nimport metallb from './metallb.ts';\n\nexport default { ...metallb, name: 'bench-copy-${k}', page: 'src/content/docs/appendix/bench-copy-${k}.md' };\n`,
      );
    }
    const growth: VerifyFigures['growth'] = [];
    for (let pages = 1; pages <= maxPages; pages++) {
      const names = ['metallb', ...Array.from({ length: pages - 1 }, (_, i) => `bench-copy-${i + 1}`)];
      const r = await verify(['--provider', 'kwok', '--kubernetes', '1.37', '--page', names.join(',')], io, scratch);
      growth.push({ pages, ...r });
      status.ok(`npm run verify: 페이지 ${pages}개, Kubernetes 1.37 (kwok)`, r.ms);
    }
    return { matrix, growth };
  } finally {
    removeCopies();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
