import fs from 'node:fs';
import path from 'node:path';
import type { Code, Html, Image } from 'mdast';
import { visit } from 'unist-util-visit';
import { parseCommand } from '../lib/args.ts';
import type { Io } from '../lib/io.ts';
import { projectRoot } from '../lib/paths.ts';
import { codeFingerprint } from '../model/fingerprint.ts';
import { MetaOptions } from '@expressive-code/core';
import { IMAGE_STEP, markdownTree, readPage } from '../model/page.ts';
import { DOCS, reportPath, translatedPage, verifiedPages, type VerifiedPage } from '../model/pages.ts';
import { readReport } from '../model/report.ts';
import { importRunbook } from '../model/runbooks.ts';
import { verdict } from '../model/verdict.ts';
import { bind, type Binding } from '../runbook/bind.ts';

const command = {
  meta: {
    name: 'verify status',
    description:
      '가이드의 모든 페이지에 대해 런북이 있는지, 버전마다 마지막 검증이 지금 무엇을 증명하는지, 어떤 블록과 그림을 아무 런북도 확인하지 않는지 보여 줍니다. 클러스터를 쓰지 않습니다.',
  },
  args: {
    reports: { type: 'string', description: '보고서 폴더 (기본: reports)' },
    json: { type: 'boolean', description: '사람이 읽는 표 대신 JSON 으로' },
  },
} as const;

/** One version of a page with a runbook: what its report proves now, by the one verdict. */
interface VersionStatus {
  kubernetes: string;
  /** The verdict's run status, or `none` when no report exists. */
  status: string;
  provider?: string;
  finishedAt?: string;
  reasons: string[];
}

interface PageStatus {
  file: string;
  runbook?: string;
  /** For a translation: the page whose runs verify it. */
  translationOf?: string;
  /** The page does not bind to its runbook: why (file:line list). */
  bindError?: string;
  versions: VersionStatus[];
  /** The blocks and figures no runbook step checks, with where they are. */
  uncovered: { at: string; what: string }[];
}

const MARK: Record<string, string> = { passed: '✓', none: '·' };
const LABEL: Record<string, string> = {
  passed: '통과',
  failed: '실패',
  partial: '일부만 실행',
  interrupted: '중단됨',
  stale: '낡음',
  error: '판정 오류',
  none: '보고서 없음',
};

type Content = { line: number; what: string; id: string | undefined };

/** Every fenced block and every image or figure of a page, with its step id read as the page reader reads it (scripts/model/page.ts). */
function contentOf(root: string, file: string): Content[] {
  const found: Content[] = [];
  visit(markdownTree(fs.readFileSync(path.join(root, file), 'utf8')), (node) => {
    const line = node.position?.start.line ?? 0;
    if (node.type === 'code') {
      const code = node as Code;
      found.push({
        line,
        what: `\`\`\`${code.lang ?? ''} 블록 (${code.value.split('\n')[0]?.slice(0, 60) ?? ''})`,
        id: new MetaOptions(code.meta ?? '').getString('step'),
      });
    } else if (node.type === 'image') {
      found.push({ line, what: `그림 ${(node as Image).url}`, id: IMAGE_STEP.exec((node as Image).title ?? '')?.[1] });
    } else if (node.type === 'html') {
      const html = (node as Html).value;
      if (/<figure\b/.test(html))
        found.push({ line, what: '그림 <figure>', id: /\bdata-step="([^"]+)"/.exec(html)?.[1] });
      else
        for (const img of html.matchAll(/<img\b[^>]*\bsrc="([^"]*)"/g))
          found.push({ line, what: `그림 ${img[1]}`, id: undefined });
    }
  });
  return found;
}

async function pageStatus(
  root: string,
  file: string,
  pages: VerifiedPage[],
  reportsDir: string,
  code: () => Record<string, string>,
): Promise<PageStatus> {
  // A translation is judged by the reports of the page it translates, against its own blocks (as the site does).
  const declared =
    pages.find((p) => p.file === file) ?? pages.find((p) => p.translations?.some((t) => t.file === file));
  const translationOf = declared && declared.file !== file ? declared.file : undefined;
  const content = contentOf(root, file);
  const list = (items: Content[], why: string) =>
    items.map((c) => ({ at: `${file}:${c.line}`, what: `${c.what}: ${why}` }));
  if (!declared) return { file, versions: [], uncovered: list(content, '이 페이지에 런북이 없습니다') };
  const { runbook } = declared;
  const shared = { file, runbook, ...(translationOf ? { translationOf } : {}) };
  let binding: Binding;
  try {
    const page = translationOf ? translatedPage(file, readPage(translationOf, root), root) : readPage(file, root);
    binding = bind(await importRunbook(root, runbook), page);
  } catch (error) {
    const uncovered = list(content, '페이지가 런북에 묶이지 않습니다');
    return { ...shared, bindError: (error as Error).message, versions: [], uncovered };
  }
  const checked = new Set(binding.steps.flatMap((s) => [s.block?.id, s.anchor?.id, ...s.outputs.keys()]));
  for (const f of binding.fixtures) checked.add(f.edit.id).add(f.spec.id);
  const versions = declared.kubernetes.map((minor): VersionStatus => {
    const report = reportPath(reportsDir, runbook, minor);
    const shown = path.relative(root, report);
    if (!fs.existsSync(report)) {
      const reasons = [`${shown} 가 없습니다: npm run verify -- --page ${runbook} --kubernetes ${minor}`];
      return { kubernetes: minor, status: 'none', reasons };
    }
    try {
      const r = readReport(report);
      const { status, reasons } = verdict({ report: r, binding, code: code() });
      return { kubernetes: minor, status, provider: r.provider, finishedAt: r.finishedAt, reasons };
    } catch (error) {
      const reasons = [`${shown} 를 읽을 수 없습니다: ${(error as Error).message.split('\n')[0]}`];
      return { kubernetes: minor, status: 'error', reasons };
    }
  });
  const unchecked = content.filter((c) => !c.id || !checked.has(c.id));
  return { ...shared, versions, uncovered: list(unchecked, `런북 ${runbook} 의 어느 단계도 확인하지 않습니다`) };
}

function render(pages: PageStatus[]): string {
  const out: string[] = [];
  for (const p of pages) {
    out.push(
      `${p.file}  ${p.runbook ? `런북 ${p.runbook}` : '런북 없음'}${p.translationOf ? ` (${p.translationOf} 의 번역: 그 페이지의 보고서로, 이 페이지의 블록에 대해 판정)` : ''}`,
    );
    if (p.bindError) out.push(`  ✗ 런북에 묶이지 않습니다:\n    ${p.bindError.split('\n').join('\n    ')}`);
    for (const v of p.versions) {
      const when = v.finishedAt ? ` — ${v.finishedAt.slice(0, 10)}, ${v.provider}` : '';
      out.push(`  ${MARK[v.status] ?? '✗'} Kubernetes ${v.kubernetes}: ${LABEL[v.status] ?? v.status}${when}`);
      for (const r of v.reasons.slice(0, 3)) out.push(`      ${r}`);
      if (v.reasons.length > 3) out.push(`      … 외 ${v.reasons.length - 3}개`);
    }
    for (const u of p.uncovered) out.push(`  · ${u.at}  ${u.what}`);
    if (!p.runbook && p.uncovered.length === 0) out.push('  (명령, 출력, 그림이 없어 확인할 것이 없습니다)');
  }
  const verified = pages.filter((p) => p.versions.length > 0 && p.versions.every((v) => v.status === 'passed')).length;
  const open = pages.reduce((n, p) => n + p.uncovered.length, 0);
  out.push(
    '',
    `페이지 ${pages.length}개 중 ${verified}개는 밝힌 모든 버전에서 검증이 지금도 통과합니다. 어느 런북도 확인하지 않는 블록과 그림: ${open}개.`,
  );
  if (pages.some((p) => !p.runbook)) out.push('런북이 없는 페이지는 npm run runbook -- new <페이지> 로 시작하세요.');
  return `${out.join('\n')}\n`;
}

/** Every page under `src/content/docs` of `root`, in path order, and what is verified of it now. */
export function guideStatus(root: string, reportsDir: string): Promise<PageStatus[]> {
  let code: Record<string, string> | undefined;
  const once = () => (code ??= codeFingerprint(root));
  const pages = verifiedPages(root);
  return Promise.all(
    fs
      .readdirSync(path.join(root, DOCS), { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.mdx?$/.test(f))
      .map((f) => path.join(DOCS, f))
      .sort()
      .map((f) => pageStatus(root, f, pages, reportsDir, once)),
  );
}

/** `npm run verify -- status`: every page of the guide and what is verified of it now. */
export async function main(argv: string[], io: Io): Promise<number> {
  const args = await parseCommand(argv, command, io);
  if (!args) return 0;
  const pages = await guideStatus(projectRoot, path.resolve(io.cwd, args.reports ?? 'reports'));
  io.out(args.json ? `${JSON.stringify(pages, null, 2)}\n` : render(pages));
  return 0;
}
