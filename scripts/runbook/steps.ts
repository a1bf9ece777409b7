import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BoundStep } from './bind.ts';
import type { Handler, Handlers, Outcome, RunContext } from './context.ts';
import { durationMs, minorOf } from './context.ts';
import { diagnose } from './diagnose.ts';
import { describeChange } from './edits.ts';
import { exitMeaning, runScript, type CommandResult } from './exec.ts';
import { watchPathFor } from './kube.ts';
import { matchLines } from './match/lines.ts';
import { matchTable } from './match/table.ts';
import { urlsIn } from './mirror.ts';
import { captureSecrets } from './redact.ts';
import type { EditStep, FileStep, ManualStep, RunStep } from './types.ts';
import { eventually } from './wait.ts';

const EDITOR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'editor.ts');

interface Attempt {
  ok: boolean;
  result: CommandResult;
  stdout: string;
  stderr: string;
  problems: string[];
  notes: string[];
  diff: string;
}

async function execute(ctx: RunContext, script: string, extraEnv: Record<string, string> = {}, secret?: RegExp): Promise<{ result: CommandResult; stdout: string; stderr: string }> {
  const result = await runScript(script, { cwd: ctx.workDir, env: { ...ctx.env, ...extraEnv }, signal: ctx.signal });
  captureSecrets(ctx.redactor, secret, `${result.stdout}\n${result.stderr}`);
  const clean = (t: string) => ctx.mirror.restore(ctx.redactor.apply(t));
  return { result, stdout: clean(result.stdout), stderr: clean(result.stderr) };
}

function showActual(a: { stdout: string; stderr: string; result: CommandResult }): string {
  const parts = [a.stdout.trimEnd()];
  if (a.stderr.trim()) parts.push(`[stderr]\n${a.stderr.trimEnd()}`);
  if (a.result.exitCode !== 0) parts.push(`[종료 코드 ${a.result.exitCode ?? '-'}: ${exitMeaning(a.result.exitCode, a.result.signal)}]`);
  return parts.filter(Boolean).join('\n');
}

const runStep: Handler<RunStep> = async (bound, ctx) => {
  const { step } = bound;
  const block = bound.block!;
  const drift = step.drift && ctx.minor >= minorOf(step.drift.since) ? step.drift : undefined;
  const rule = drift?.output ?? step.output;
  const expectedBlock = rule ? bound.outputs.get(rule.block) : undefined;
  const expectedExit = drift?.exitCode ?? step.exitCode ?? 0;
  const { command, served } = ctx.mirror.rewrite(block.code);

  const attempt = async (): Promise<Attempt> => {
    const a = await execute(ctx, command, {}, step.secret);
    const problems: string[] = [];
    const notes: string[] = [];
    if (a.result.exitCode !== expectedExit) problems.push(`종료 코드: 기대 ${expectedExit}, 실제 ${a.result.exitCode ?? '-'} (${exitMeaning(a.result.exitCode, a.result.signal)})`);
    let diff = '';
    if (rule && expectedBlock) {
      const m = rule.kind === 'table' ? matchTable(rule, expectedBlock.code, a.stdout, { nodes: ctx.nodes }) : matchLines(rule, expectedBlock.code, a);
      problems.push(...m.problems);
      notes.push(...m.notes);
      diff = m.diff;
    }
    return { ...a, ok: problems.length === 0, problems, notes, diff };
  };

  let current = await attempt();
  let attempts = 1;
  const notes: string[] = [];
  if (!current.ok && step.eventually && !ctx.signal.aborted) {
    const within = Math.min(durationMs(step.eventually.within), ctx.waitLimitMs ?? Infinity);
    const waited = await eventually(attempt, current, { withinMs: within, kube: ctx.kube, watch: watchPathFor(block.code), signal: ctx.signal });
    current = waited.result;
    attempts = waited.attempts;
    if (!current.ok) notes.push(`${Math.round(within / 1000)}초 동안 ${attempts}번 확인했지만 페이지의 상태가 되지 않았습니다.`);
  }
  if (!current.ok && step.alreadyDone) {
    const { line, skip, because } = step.alreadyDone;
    if (current.stdout.split('\n').some((l) => l.trim() === line)) {
      for (const id of skip) ctx.skip.set(id, `${step.id} 가 "${line}" 를 출력했습니다. ${because}`);
      return { status: 'passed', command: block.code, actual: showActual(current), exitCode: current.result.exitCode, notes: [`페이지의 출력 대신 "${line}" 가 나왔습니다: 이미 원하는 상태이므로 ${skip.join(', ')} 를 건너뜁니다.`], attempts };
    }
  }
  if (current.ok && step.confirm) {
    const target = ctx.binding.steps.find((s) => s.step.id === step.confirm?.step);
    const check = await execute(ctx, target?.block?.code ?? 'false');
    const found = check.stdout.split('\n').some((l) => l.trim() === step.confirm?.line);
    if (!found) {
      current.problems.push(`적용한 뒤 ${step.confirm.step} 를 다시 실행했지만 "${step.confirm.line}" 가 나오지 않았습니다.`);
      current.ok = false;
    } else {
      notes.push(`적용 뒤 ${step.confirm.step} 를 다시 실행해 "${step.confirm.line}" 를 확인했습니다.`);
    }
  }
  if (drift) notes.push(`Kubernetes 1.${ctx.minor} 에서는 페이지가 밝힌 차이를 기대했습니다: ${drift.because}`);
  if (served.length > 0) notes.push(`미러에서 읽음: ${served.map((s) => s.url).join(', ')}`);
  const outcome: Outcome = {
    status: current.ok ? 'passed' : 'failed',
    command: block.code,
    exitCode: current.result.exitCode,
    actual: showActual(current),
    problems: current.problems,
    notes: [...current.notes, ...notes],
    attempts,
  };
  if (expectedBlock) outcome.expected = expectedBlock.code;
  if (!current.ok) {
    outcome.diagnostics = await diagnose(ctx, block.code, current.stdout);
    const urls = urlsIn(block.code).filter((u) => !served.some((s) => s.url === u));
    if (urls.length > 0 && current.result.exitCode !== 0) {
      outcome.hint = `이 명령은 원격 URL 을 읽습니다: ${urls.join(', ')}. ${ctx.mirror.dir ? `미러 ${ctx.mirror.dir} 에 이 파일이 없습니다` : '미러가 설정되지 않았습니다 (RUNBOOK_MIRROR 없음)'}. 인터넷에 닿지 않는 곳에서는 RUNBOOK_MIRROR=폴더 또는 --mirror 폴더 로 <host>/<path> 구조의 사본을 지정하세요.`;
    } else if (current.diff) {
      outcome.hint = '페이지의 출력이 틀렸다면 페이지를 고치고, 클러스터가 틀렸다면 위 진단을 보세요.';
    }
  }
  return outcome;
};

const fileStep: Handler<FileStep> = async (bound, ctx) => {
  const block = bound.block!;
  const name = block.meta.getString('title') ?? '';
  const target = path.join(ctx.workDir, name);
  fs.writeFileSync(target, block.code.endsWith('\n') ? block.code : `${block.code}\n`);
  return { status: 'passed', command: `cat > ${name} (페이지의 ${block.id} 블록)`, notes: [`${path.relative(process.cwd(), target)} 에 썼습니다.`] };
};

const editStep: Handler<EditStep> = async (bound, ctx) => {
  const block = bound.block!;
  const editor = `${JSON.stringify(process.execPath)} ${JSON.stringify(EDITOR)}`;
  const a = await execute(ctx, block.code, { KUBE_EDITOR: editor, VDOCS_EDIT_CHANGES: JSON.stringify(bound.changes) });
  const ok = a.result.exitCode === 0;
  const cancelled = /Edit cancelled, no changes made/.test(a.stdout + a.stderr);
  return {
    status: ok ? 'passed' : 'failed',
    command: block.code,
    exitCode: a.result.exitCode,
    actual: showActual({ ...a }),
    problems: ok ? [] : [`kubectl edit 가 실패했습니다 (종료 코드 ${a.result.exitCode ?? '-'}: ${exitMeaning(a.result.exitCode, a.result.signal)}).`],
    notes: [
      `편집기(KUBE_EDITOR)가 페이지에 표시된 줄만 바꾸었습니다: ${bound.changes.map(describeChange).join(', ')}`,
      ...(cancelled ? ['이미 페이지의 값이어서 kubectl 이 "Edit cancelled, no changes made." 라고 답했습니다.'] : []),
    ],
  };
};

const manualStep: Handler<ManualStep> = async (bound) => {
  const anchor = bound.anchor!;
  return {
    status: 'manual',
    reason: `웹 브라우저로 ${anchor.links.join(', ')} 에 접속해 "${anchor.caption}" 화면이 나오는지 직접 확인하세요. 런북은 이 주소에 접속하지 않습니다.`,
  };
};

export const handlers: Handlers = { run: runStep, file: fileStep, edit: editStep, manual: manualStep };

export function handle(bound: BoundStep, ctx: RunContext): Promise<Outcome> {
  const handler = handlers[bound.step.kind] as Handler<typeof bound.step>;
  return handler(bound, ctx);
}
