import fs from 'node:fs';
import path from 'node:path';
import type { BoundStep } from './bind.ts';
import type { Handler, Handlers, Outcome, RunContext } from './context.ts';
import { durationMs } from './context.ts';
import { minorOf } from '../model/version.ts';
import { diagnose } from './diagnose.ts';
import { describeExit, runScript, type CommandResult } from './exec.ts';
import { pasteable } from './paste.ts';
import type { ObjectCheck } from '../model/report.ts';
import { EDIT_COMMAND } from './bind.ts';
import { isNotFound, parseGet, perNodeCounts, watchPathFor } from './kube.ts';
import { matchLines } from './match/lines.ts';
import { splitLines } from './match/result.ts';
import { matchTable, parseTable } from './match/table.ts';
import { urlsIn } from './mirror.ts';
import { checkObject, objectProblems, show, valueAt } from './objects.ts';
import { captureSecrets } from './redact.ts';
import type { Drift, EditStep, FileStep, ManualStep, OutputRule, RunStep } from '../model/runbook.ts';
import { eventually } from './wait.ts';
import { startEditServer } from './edit-server.ts';

interface Attempt {
  ok: boolean;
  /** When its command started. */
  at: string;
  objects: ObjectCheck[];
  result: CommandResult;
  stdout: string;
  stderr: string;
  problems: string[];
  notes: string[];
  diff: string;
}

/** How long one command may run when its step declares no wait. */
const COMMAND_LIMIT_MS = 120_000;
/** How long a command started near the end of a wait may still finish before it is stopped. */
const COMMAND_GRACE_MS = 5_000;

async function execute(ctx: RunContext, script: string, extraEnv: Record<string, string> = {}, secret?: RegExp, timeoutMs = COMMAND_LIMIT_MS): Promise<{ result: CommandResult; stdout: string; stderr: string }> {
  const result = await runScript(script, { cwd: ctx.workDir, env: { ...ctx.env, ...extraEnv }, signal: ctx.signal, timeoutMs });
  captureSecrets(ctx.redactor, secret, `${result.stdout}\n${result.stderr}`);
  const clean = (t: string) => ctx.mirror.restore(ctx.redactor.apply(t));
  return { result, stdout: clean(result.stdout), stderr: clean(result.stderr) };
}

function showActual(a: { stdout: string; stderr: string; result: CommandResult }): string {
  const parts = [a.stdout.trimEnd()];
  if (a.stderr.trim()) parts.push(`[stderr]\n${a.stderr.trimEnd()}`);
  if (a.result.exitCode !== 0) parts.push(`[종료 코드 ${describeExit(a.result)}]`);
  return parts.filter(Boolean).join('\n');
}

/** What a run step expects on this Kubernetes version: the rule, the page text it compares with, the exit code. */
interface Expectation {
  rule: OutputRule | undefined;
  /** The documented text (for a drift with `withoutLines`: the main output's remaining lines, then the aside's block). */
  text: string | undefined;
  exitCode: number;
  drift: Drift | undefined;
}

export function expectationFor(bound: BoundStep & { step: RunStep }, minor: number): Expectation {
  const { step } = bound;
  const drift = step.drift && minor >= minorOf(step.drift.since) ? step.drift : undefined;
  const main = step.output ? bound.outputs.get(step.output.block) : undefined;
  if (!drift) return { rule: step.output, text: main?.code, exitCode: step.exitCode ?? 0, drift };
  const aside = bound.outputs.get(drift.output.block)?.code ?? '';
  const { withoutLines } = drift;
  if (!withoutLines || !main) return { rule: drift.output, text: aside, exitCode: drift.exitCode, drift };
  const kept = splitLines(main.code).filter((l) => !withoutLines.test(l.trim()));
  const applyVerbs = step.output?.kind === 'lines' ? step.output.applyVerbs : undefined;
  return { rule: { ...drift.output, ...(applyVerbs ? { applyVerbs } : {}) }, text: [...kept, ...splitLines(aside)].join('\n'), exitCode: drift.exitCode, drift };
}

function compare(rule: OutputRule, text: string, a: { stdout: string; stderr: string }, nodes: Record<string, number>) {
  return rule.kind === 'table' ? matchTable(rule, text, a.stdout, { nodes }) : matchLines(rule, text, a);
}

const runStep: Handler<RunStep> = async (bound, ctx) => {
  const { step } = bound;
  const block = bound.block!;
  const expect = expectationFor(bound, ctx.minor);
  const { command, served } = ctx.mirror.rewrite(block.code);
  // The step's declared limit bounds every command in it: one that hangs (an API server that stopped
  // answering) is stopped at the limit, not after kubectl's or the server's own timeouts.
  const within = step.eventually ? Math.min(durationMs(step.eventually.within), ctx.waitLimitMs ?? Infinity) : undefined;
  const deadline = performance.now() + (within ?? COMMAND_LIMIT_MS);
  const commandLimit = () => Math.max(deadline - performance.now(), 0) + COMMAND_GRACE_MS;

  const attempt = async (): Promise<Attempt> => {
    const at = new Date().toISOString();
    const a = await execute(ctx, command, {}, step.secret, commandLimit());
    const problems: string[] = [];
    const notes: string[] = [];
    if (a.result.exitCode !== expect.exitCode) problems.push(`종료 코드: 기대 ${expect.exitCode}, 실제 ${describeExit(a.result)}`);
    let diff = '';
    if (expect.rule && expect.text !== undefined) {
      const m = compare(expect.rule, expect.text, a, await perNodeCounts(ctx.kube, expect.rule));
      problems.push(...m.problems);
      notes.push(...m.notes);
      diff = m.diff;
    }
    // A command stopped at the step's limit already says the cluster did not answer in time.
    const objects = step.object && expect.text !== undefined && !a.result.timedOut ? await checkObject(ctx.kube, step.object, block.code, expect.text) : [];
    problems.push(...objectProblems(objects));
    return { ...a, at, ok: problems.length === 0, problems, notes, diff, objects };
  };

  // The object check the attempt makes anyway, alone (an API read, not the page's command), tells
  // whether the page's state can hold yet, and which changes are worth a new attempt.
  const object = step.object;
  const text = expect.text;
  const ready = within !== undefined && object && text !== undefined ? async () => (await checkObject(ctx.kube, object, block.code, text)).every((o) => o.ok) : undefined;
  // A wait whose state does not hold yet starts with the watch, not the command: the watch's first
  // events (every object it reads, then each change) say when to run it.
  let current: Attempt | undefined = ready && !(await ready().catch(() => true)) ? undefined : await attempt();
  let attempts = current ? 1 : 0;
  const notes: string[] = [];
  if (!current?.ok && within !== undefined && !ctx.signal.aborted) {
    const waited = await eventually(attempt, current, { withinMs: Math.max(deadline - performance.now(), 0), kube: ctx.kube, watch: watchPathFor(block.code), signal: ctx.signal, ...(ready ? { ready } : {}) });
    current = waited.result;
    attempts = waited.attempts;
    if (!current.ok) notes.push(`${Math.round(within / 1000)}초 동안 ${attempts}번 확인했지만 페이지의 상태가 되지 않았습니다.`);
  }
  if (!current) {
    // interrupted before the command ever ran: it runs now and stops at once, so the step still shows what it got
    current = await attempt();
    attempts++;
  }
  if (!current.ok && step.alreadyDone && expect.rule) {
    // The page's conditional: exit 0, exactly the documented "already done" line, and the object agrees.
    const { line, skip, because } = step.alreadyDone;
    const text = compare(expect.rule, line, current, await perNodeCounts(ctx.kube, expect.rule));
    const objects = step.object ? await checkObject(ctx.kube, step.object, block.code, line) : [];
    if (current.result.exitCode === 0 && text.ok && objects.every((o) => o.ok)) {
      for (const id of skip) ctx.skip.set(id, `${step.id} 가 "${line}" 를 출력했습니다. ${because}`);
      return { status: 'passed', command: block.code, actual: showActual(current), exitCode: current.result.exitCode, objects, notes: [`페이지의 출력 대신 "${line}" 가 나왔습니다: 이미 원하는 상태이므로 ${skip.join(', ')} 를 건너뜁니다.`, ...text.notes], attempts };
    }
  }
  if (current.ok && step.confirm) {
    const { step: id, line } = step.confirm;
    const target = ctx.binding.steps.find((s) => s.step.id === id);
    const rule = target?.step.kind === 'run' ? target.step.object : undefined;
    if (rule && target?.block) {
      // The other step's command prints a field of an object it reads: that field is read through the
      // API, which is the fact itself (its command, started again, would only print it).
      const objects = await checkObject(ctx.kube, rule, target.block.code, line);
      current.objects.push(...objects);
      current.problems.push(...objectProblems(objects));
      if (objects.length === 0) current.problems.push(`적용한 뒤 ${id} 가 읽는 객체를 확인하지 못했습니다.`);
      current.ok &&= objects.length > 0 && objects.every((o) => o.ok);
      if (current.ok) notes.push(`적용 뒤 ${id} 가 읽는 ${objects.map((o) => o.what).join(', ')} 를 API 로 다시 읽어 "${line}" 를 확인했습니다.`);
    } else {
      const check = await execute(ctx, target?.block?.code ?? 'false');
      if (!check.stdout.split('\n').some((l) => l.trim() === line)) {
        current.problems.push(`적용한 뒤 ${id} 를 다시 실행했지만 "${line}" 가 나오지 않았습니다.`);
        current.ok = false;
      } else {
        notes.push(`적용 뒤 ${id} 를 다시 실행해 "${line}" 를 확인했습니다.`);
      }
    }
  }
  if (expect.drift) notes.push(`Kubernetes 1.${ctx.minor} 에서는 페이지가 밝힌 차이를 기대했습니다: ${expect.drift.because}`);
  if (served.length > 0) notes.push(`미러에서 읽음: ${served.map((s) => s.url).join(', ')}`);
  const outcome: Outcome = {
    status: current.ok ? 'passed' : 'failed',
    command: block.code,
    exitCode: current.result.exitCode,
    actual: showActual(current),
    problems: current.problems,
    notes: [...current.notes, ...notes],
    attempts,
    ...(within !== undefined ? { lastAttemptAt: current.at } : {}),
    ...(current.objects.length > 0 ? { objects: current.objects } : {}),
  };
  if (expect.text !== undefined) Object.assign(outcome, { expected: expect.text, streams: { stdout: current.stdout, stderr: current.stderr } });
  if (!current.ok) {
    outcome.diagnostics = await diagnose(ctx, block.code, current.stdout);
    const urls = urlsIn(block.code).filter((u) => !served.some((s) => s.url === u));
    if (urls.length > 0 && current.result.exitCode !== 0) {
      outcome.hint = `이 명령은 원격 URL 을 읽습니다: ${urls.join(', ')}. ${ctx.mirror.dir ? `미러 ${ctx.mirror.dir} 에 이 파일이 없습니다` : '미러가 설정되지 않았습니다 (RUNBOOK_MIRROR 없음)'}. 인터넷에 닿지 않는 곳에서는 RUNBOOK_MIRROR=폴더 또는 --mirror 폴더 로 <host>/<path> 구조의 사본을 지정하세요.`;
    } else if (current.diff || current.objects.some((o) => !o.ok)) {
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

/**
 * Runs the page's `kubectl edit` with an editor that applies exactly the marked lines, then reads
 * the object back: every documented change must have taken effect, and the edit must change
 * something (a cancelled or no-op edit proves nothing and fails).
 */
const editStep: Handler<EditStep> = async (bound, ctx) => {
  const block = bound.block!;
  const [, name = '', namespace = ''] = EDIT_COMMAND.exec(block.code.trim()) ?? [];
  const read = async () => ctx.kube.core.readNamespacedService({ name, namespace }).catch((error: unknown) => {
    if (isNotFound(error)) return undefined;
    throw error;
  });
  const before = await read();
  const editor = await startEditServer(bound.changes);
  const a = await execute(ctx, block.code, editor.env).finally(() => editor.close());
  const after = await read();
  const changes = bound.changes.map((c) => ({ field: c.path.join('.'), documented: show(c.value), before: show(valueAt(before, c.path)), after: show(valueAt(after, c.path)) }));
  const problems: string[] = [];
  if (a.result.exitCode !== 0) problems.push(`kubectl edit 가 실패했습니다 (종료 코드 ${describeExit(a.result)}).`);
  if (/Edit cancelled, no changes made/.test(a.stdout + a.stderr)) problems.push('kubectl 이 "Edit cancelled, no changes made." 라고 답했습니다: 편집이 아무것도 바꾸지 않았습니다.');
  if (!after) problems.push(`편집 뒤 Service ${namespace}/${name} 를 읽을 수 없습니다.`);
  for (const c of changes) if (c.after !== c.documented) problems.push(`편집 뒤 ${c.field} 가 페이지의 값이 아닙니다: 기대 "${c.documented}", 실제 "${c.after}" (편집 전 "${c.before}").`);
  if (changes.length > 0 && changes.every((c) => c.before === c.documented)) problems.push(`편집 전에 이미 ${changes.map((c) => `${c.field}=${c.documented}`).join(', ')} 였습니다: 페이지의 편집이 아무것도 바꾸지 않았습니다.`);
  return {
    status: problems.length === 0 ? 'passed' : 'failed',
    command: block.code,
    exitCode: a.result.exitCode,
    actual: showActual({ ...a }),
    changes,
    problems,
    notes: [`편집기(KUBE_EDITOR)가 페이지에 표시된 줄만 바꾸고, 편집 뒤 객체를 다시 읽어 확인했습니다: ${changes.map((c) => `${c.field} ${c.before} → ${c.after}`).join(', ')}`],
  };
};

/** The Service the page says answers at an address: the `kubectl get svc/…` step whose documented EXTERNAL-IP is that host. */
function serviceAt(ctx: RunContext, host: string): { name: string; namespace: string } | undefined {
  for (const b of ctx.binding.steps) {
    if (b.step.kind !== 'run' || b.step.object?.kind !== 'service' || !b.block || !b.step.output) continue;
    const documented = b.outputs.get(b.step.output.block)?.code;
    const get = parseGet(b.block.code);
    if (documented && get?.name && parseTable(documented).rows.some((r) => r['EXTERNAL-IP'] === host)) return { name: get.name, namespace: get.namespace };
  }
  return undefined;
}

/**
 * A browser step. Where the sandbox has a client host on the page's network (Provider.clientHost),
 * it runs for real: the documented address must answer from that host with the Service's
 * stand-in page, and Chromium saves a screenshot; the dashboard UI itself is a stand-in, so the
 * step is marked as such. Elsewhere a person checks it (manual).
 */
const manualStep: Handler<ManualStep> = async (bound, ctx) => {
  const anchor = bound.anchor!;
  const client = ctx.target.sandbox?.clientHost;
  if (!client) {
    return { status: 'manual', reason: `웹 브라우저로 ${anchor.links.join(', ')} 에 접속해 "${anchor.caption}" 화면이 나오는지 직접 확인하세요. 런북은 이 주소에 접속하지 않습니다.` };
  }
  const url = anchor.links[0] ?? '';
  const service = serviceAt(ctx, new URL(url).hostname);
  if (!service) return { status: 'failed', problems: [`${url} 의 주소를 EXTERNAL-IP 로 적은 서비스 확인 단계가 페이지에 없어, 어느 서비스가 답해야 하는지 알 수 없습니다.`] };
  const screenshot = path.join(ctx.workDir, 'screenshots', `${bound.step.id.replace(/\//g, '-')}.png`);
  try {
    const r = await client.open(ctx.kube, { url, ...service }, screenshot, { signal: ctx.signal, show: (command) => pasteable(command, ctx.target) });
    return {
      status: 'passed',
      command: `(클라이언트 호스트에서 ${url} 을 HTTP 와 Chromium 으로 열기)`,
      browser: { url, status: r.status, title: r.title, screenshot, proven: r.proven, simulated: r.simulated },
      standIn: `${r.proven} ${r.simulated}`,
      notes: [`${url} → HTTP ${r.status}, 제목 "${r.title}" (${r.seconds}초)`],
    };
  } catch (error) {
    const e = error as Error & { hint?: string };
    return { status: 'failed', problems: [`${url} 를 클라이언트 호스트에서 열지 못했습니다: ${e.message}`], ...(e.hint ? { hint: e.hint } : {}), diagnostics: await diagnose(ctx, `kubectl get svc/${service.name} -n ${service.namespace}`, '') };
  }
};

export const handlers: Handlers = { run: runStep, file: fileStep, edit: editStep, manual: manualStep };

export function handle(bound: BoundStep, ctx: RunContext): Promise<Outcome> {
  const handler = handlers[bound.step.kind] as Handler<typeof bound.step>;
  return handler(bound, ctx);
}
