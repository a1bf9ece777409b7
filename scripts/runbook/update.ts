import fs from 'node:fs';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { UsageError } from '../lib/errors.ts';
import { writeAtomic } from '../lib/fs.ts';
import { askYes, type Io } from '../lib/io.ts';
import { at, parsePage, type Block } from '../model/page.ts';
import type { RunReport } from '../model/report.ts';
import { minorOf } from '../model/version.ts';
import type { Binding } from './bind.ts';
import { mergeOutput, replaceBlocks } from './rewrite.ts';

/**
 * Which output blocks a run proved wrong and what to write into them: only failed run steps, only
 * their own output block, only where the rule does not accept the difference (rewrite.ts). Commands,
 * edit and file blocks are never touched. `left`: the failures it does not fix (exit codes, drift,
 * outputs the rule could never accept), for people.
 */
function planUpdate(binding: Binding, report: RunReport) {
  const minor = minorOf(report.kubernetes);
  const changes: Array<{ block: Block; text: string }> = [];
  const left: string[] = [];
  for (const bound of binding.steps) {
    const { step } = bound;
    const ran = report.steps.find((s) => s.id === step.id);
    if (step.kind !== 'run' || ran?.status !== 'failed') continue;
    const why = ran.problems[0] ?? '';
    const skip = !step.output
      ? `출력 블록이 없는 단계라 고칠 블록이 없습니다 (${why}).`
      : step.drift && minor >= minorOf(step.drift.since)
        ? `Kubernetes 1.${minor} 에서는 페이지가 밝힌 차이(drift, ${step.drift.since} 부터)와 비교하므로, 두 출력 블록 중 어느 것을 고칠지 정할 수 없어 고치지 않았습니다. 위 차이를 보고 손으로 고치세요.`
        : !ran.streams && `명령의 출력이 남지 않아 고치지 않았습니다 (${why}).`;
    if (skip) left.push(`${step.id}: ${skip}`);
    const block = step.output && bound.outputs.get(step.output.block);
    if (skip || !step.output || !block || !ran.streams) continue;
    const merged = mergeOutput(step.output, block.code, ran.streams);
    if (!merged.ok) left.push(`${at(binding.page, block.line)}: ${block.id} 는 고치지 않았습니다. ${merged.problem}`);
    else if (merged.text !== block.code) changes.push({ block, text: merged.text });
    const exitCode = step.exitCode ?? 0;
    if (ran.exitCode !== exitCode)
      left.push(
        `${step.id}: 종료 코드가 기대 ${exitCode} 와 다릅니다 (실제 ${ran.exitCode ?? '없음'}). 종료 코드는 런북이 정하므로 --update 가 고치지 않습니다.`,
      );
    else if (merged.ok && merged.text === block.code)
      left.push(`${step.id}: 출력 블록은 실제 출력과 맞지만 다른 이유로 실패했습니다: ${why}`);
  }
  return { changes, left };
}

interface UpdateOptions {
  binding: Binding;
  report: RunReport;
  /** The page file the run read (absolute). */
  file: string;
  io: Io;
  yes: boolean;
  /** Runs the written page again (re-read and re-bound); the run's own output shows the result. */
  verify: () => Promise<RunReport>;
  /** `metallb --page X ...`, for the commands printed. */
  command: string;
}

/** `--update` after a run: plan, show the diff, ask (or `--yes`), write atomically, run again. Returns the exit code. */
export async function updatePage(o: UpdateOptions): Promise<number> {
  const { io } = o;
  const plan = planUpdate(o.binding, o.report);
  const shown = path.relative(io.cwd, o.file) || o.file;
  for (const l of plan.left) io.err(`--update: ${l}\n`);
  if (plan.changes.length === 0) {
    io.err(`--update: 실제 출력과 다른 출력 블록이 없습니다. ${shown} 는 그대로입니다.\n`);
    return o.report.status === 'passed' || o.report.status === 'partial' ? 0 : 1;
  }
  const source = fs.readFileSync(o.file, 'utf8');
  // The page must still be the one the run read: a block edited meanwhile is not overwritten.
  const now = new Map(parsePage(source, o.binding.page.file).blocks.map((b) => [b.id, b]));
  const moved = plan.changes.filter(
    (c) => now.get(c.block.id)?.code !== c.block.code || now.get(c.block.id)?.line !== c.block.line,
  );
  if (moved.length > 0)
    throw new UsageError(
      'PAGE_CHANGED',
      `실행하는 동안 ${shown} 의 블록 ${moved.map((c) => c.block.id).join(', ')} 가 바뀌어 쓰지 않았습니다.`,
      `npm run runbook -- ${o.command} --update 로 다시 실행하세요.`,
    );
  const next = replaceBlocks(source, plan.changes);
  io.out(createTwoFilesPatch(shown, shown, source, next, '페이지', '실제 출력을 쓴 페이지', { context: 2 }));
  const list = plan.changes.map((c) => c.block.id).join(', ');
  const question = `${shown} 의 출력 블록 ${plan.changes.length}개(${list})를 실제 출력으로 바꿀까요?`;
  const cannotAsk = `--update 는 페이지에 쓰기 전에 묻는데, 터미널이 아니라 물어볼 수 없습니다. ${shown} 는 바뀌지 않았습니다.`;
  const fix = `위 차이를 검토한 뒤 --yes 를 붙여 다시 실행하세요: npm run runbook -- ${o.command} --update --yes`;
  if (!(await askYes(io, o.yes, question, cannotAsk, fix))) {
    io.err(`쓰지 않았습니다. ${shown} 는 그대로입니다.\n`);
    return 1;
  }
  writeAtomic(o.file, next);
  io.err(`${shown} 에 출력 블록 ${plan.changes.length}개를 썼습니다: ${list}. 쓴 페이지로 다시 실행해 확인합니다.\n`);
  const { status } = await o.verify();
  const passed = status === 'passed' || status === 'partial';
  io.err(
    passed
      ? `✓ 쓴 페이지로 다시 실행해 통과했습니다. 변경을 검토한 뒤 커밋하세요: git diff -- ${shown}\n`
      : `✗ 쓴 페이지로 다시 실행했지만 통과하지 않았습니다 (위 실패를 보세요). 쓴 블록: ${list}. 되돌리려면: git checkout -- ${shown}\n`,
  );
  return passed ? 0 : 1;
}
