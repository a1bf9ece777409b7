import fs from 'node:fs';
import path from 'node:path';
import type { BoundStep } from './bind.ts';
import type { Handler, Handlers, Outcome, RunContext } from './context.ts';
import { durationMs } from './context.ts';
import { diagnose } from './diagnose.ts';
import { describeExit, runScript, type CommandResult } from './exec.ts';
import { pasteable } from './paste.ts';
import type { Fetched, ObjectReading, StepReport } from '../model/report.ts';
import { fingerprint } from '../model/fingerprint.ts';
import { EDIT_COMMAND } from './bind.ts';
import { checkAttempt, checkStep, expectationFor, fileContent, type Checked, type Expectation } from './check.ts';
import { orAbsent, parseGet, perNodeCounts, watchPathFor } from './kube.ts';
import { parseTable } from './match/table.ts';
import { InputError } from './mirror.ts';
import { compareObject, readObject, show, valueAt } from './objects.ts';
import { captureSecrets } from './redact.ts';
import type { EditStep, FileStep, ManualStep, ObjectRule, RunStep } from '../model/runbook.ts';
import { eventually } from './wait.ts';
import { startBackground } from './background.ts';
import { startEditServer } from './edit-server.ts';

/** One run of the command (`at`: when it started), checked; `ev`: the command's end and streams, the object, the per-node counts. */
type Attempt = Checked & { ok: boolean; at: string; result: CommandResult; ev: Parameters<typeof checkAttempt>[2] };

type RunBound = BoundStep & { step: RunStep };

/** How long one command may run when its step declares no wait. */
const COMMAND_LIMIT_MS = 120_000;
/** How long a command started near the end of a wait may still finish before it is stopped. */
const COMMAND_GRACE_MS = 5_000;

/** A page command run in the work folder; its output as stored and compared (`clean`), its secrets registered first. */
async function execute(
  ctx: RunContext,
  script: string,
  more: { env?: Record<string, string>; secret?: RegExp | undefined; timeoutMs?: number } = {},
): Promise<CommandResult> {
  const result = await runScript(script, {
    cwd: ctx.workDir,
    env: { ...ctx.env, ...more.env },
    signal: ctx.signal,
    timeoutMs: more.timeoutMs ?? COMMAND_LIMIT_MS,
  });
  captureSecrets(ctx.redactor, more.secret, `${result.stdout}\n${result.stderr}`);
  return { ...result, stdout: clean(ctx, result.stdout), stderr: clean(ctx, result.stderr) };
}

/** A command's output as stored and compared: redacted, with the URLs back where kubectl printed the copies' paths. */
const clean = (ctx: RunContext, text: string) => ctx.mirror.restore(ctx.redactor.apply(text));

/** What a command printed, for people: stdout, then stderr, then an exit that was not 0 (of a command that ended). */
function showActual(r: Pick<CommandResult, 'stdout' | 'stderr'> | CommandResult): string {
  const parts = [r.stdout.trimEnd()];
  if (r.stderr.trim()) parts.push(`[stderr]\n${r.stderr.trimEnd()}`);
  if ('timedOut' in r && r.exitCode !== 0) parts.push(`[종료 코드 ${describeExit(r)}]`);
  return parts.filter(Boolean).join('\n');
}

/** An object as read for the report: what it holds, redacted like everything stored. */
async function read(ctx: RunContext, rule: ObjectRule, command: string): Promise<ObjectReading> {
  const r = await readObject(ctx.kube, rule, command);
  return r.kind === 'config' && r.data !== undefined ? { ...r, data: ctx.redactor.apply(r.data) } : r;
}

const runStep: Handler<RunStep> = async (bound, ctx) => {
  const { step } = bound;
  const block = bound.block!;
  const expect = expectationFor(bound, ctx.minor);
  // Every remote file the command reads, checked against its pin before the command sees it.
  const prepared = await ctx.mirror
    .prepare(block.code, ctx.binding.runbook.pins ?? {}, ctx.workDir, ctx.signal)
    .catch((error: unknown) => {
      if (!(error instanceof InputError)) throw error;
      const { message, fetched, hint } = error;
      return { status: 'failed', command: block.code, fetched, problems: [message], hint } satisfies Outcome;
    });
  if ('status' in prepared) return prepared;
  const { command, fetched } = prepared;
  if (step.background) return backgroundStep(bound, ctx, command, fetched);
  const { current, attempts, within, notes } = await untilPage(bound, ctx, command, expect);
  const confirm = current.ok && step.confirm ? await confirmed(ctx, step.confirm.step) : undefined;
  if (expect.drift)
    notes.push(`Kubernetes 1.${ctx.minor} 에서는 페이지가 밝힌 차이를 기대했습니다: ${expect.drift.because}`);
  if (fetched.length > 0)
    notes.push(
      `원격 파일 (런북의 sha256 고정값과 같음): ${fetched.map((f) => `${f.url} — ${f.source === 'mirror' ? '미러' : 'URL'}`).join(', ')}`,
    );
  const evidence = { ...current.ev, fetched, ...(confirm ? { confirm } : {}) };
  const exit = describeExit(current.result);
  const { final, outcome } = judged(bound, ctx, evidence, notes, exit, { actual: showActual(current.result) });
  if (final.outcome === 'already' && step.alreadyDone) {
    const { line, skip, because } = step.alreadyDone;
    for (const id of skip) ctx.skip.set(id, `${step.id} 가 "${line}" 를 출력했습니다. ${because}`);
  }
  outcome.attempts = attempts;
  if (within !== undefined) outcome.lastAttemptAt = current.at;
  if (final.outcome === 'failed') {
    outcome.diagnostics = await diagnose(ctx, block.code, current.ev.streams.stdout);
    if (final.diff || final.objects.some((o) => !o.ok))
      outcome.hint = '페이지의 출력이 틀렸다면 페이지를 고치고, 클러스터가 틀렸다면 위 진단을 보세요.';
  }
  return outcome;
};

/** A step's evidence checked, as its outcome (`shown`: what it printed, for people). */
function judged(
  bound: BoundStep,
  ctx: RunContext,
  evidence: Omit<Parameters<typeof checkStep>[1], 'status'>,
  notes: string[],
  exit?: string,
  shown: Partial<Outcome> = {},
) {
  const checks = { minor: ctx.minor, pins: ctx.binding.runbook.pins ?? {}, steps: ctx.binding.steps };
  const final = checkStep(bound, { status: 'passed', ...evidence }, checks, exit);
  const expected =
    bound.step.kind === 'run' ? expectationFor({ ...bound, step: bound.step }, ctx.minor).text : undefined;
  const outcome: Outcome = {
    status: final.outcome === 'failed' ? 'failed' : 'passed',
    command: bound.block!.code,
    ...evidence,
    ...shown,
    problems: final.problems,
    notes: [...final.notes, ...notes],
    ...(final.objects.length > 0 ? { objects: final.objects } : {}),
    ...(expected !== undefined ? { expected } : {}),
  };
  return { final, outcome };
}

/** The step's command, attempted until the page's state holds or its declared wait ends. */
async function untilPage(bound: RunBound, ctx: RunContext, command: string, expect: Expectation) {
  const { step } = bound;
  const block = bound.block!;
  // The step's declared limit bounds every command in it: one that hangs (an API server that stopped
  // answering) is stopped at the limit, not after kubectl's or the server's own timeouts.
  const within = step.eventually
    ? Math.min(durationMs(step.eventually.within), ctx.waitLimitMs ?? Infinity)
    : undefined;
  const deadline = performance.now() + (within ?? COMMAND_LIMIT_MS);
  const attempt = async (): Promise<Attempt> => {
    const at = new Date().toISOString();
    const limit = Math.max(deadline - performance.now(), 0) + COMMAND_GRACE_MS;
    const a = await execute(ctx, command, { secret: step.secret, timeoutMs: limit });
    const nodes = expect.rule ? await perNodeCounts(ctx.kube, expect.rule) : {};
    // A command stopped at the step's limit already says the cluster did not answer in time.
    const readings =
      step.object && expect.text !== undefined && !a.timedOut ? [await read(ctx, step.object, block.code)] : undefined;
    const ev = {
      exitCode: a.exitCode,
      streams: { stdout: a.stdout, stderr: a.stderr },
      ...(readings ? { readings } : {}),
      ...(Object.keys(nodes).length > 0 ? { nodes } : {}),
    };
    const checked = checkAttempt(bound, expect, ev, describeExit(a));
    return { ...checked, ok: checked.outcome === 'passed', at, result: a, ev };
  };
  // The attempt's object check alone (an API read) tells which changes are worth running the command again.
  const { object } = step;
  const { text } = expect;
  const ready =
    within !== undefined && object && text !== undefined
      ? async () =>
          compareObject(object, block.code, text, await readObject(ctx.kube, object, block.code)).every((o) => o.ok)
      : undefined;
  // A wait whose state does not hold yet starts with the watch, whose events say when to run the command.
  let current: Attempt | undefined = ready && !(await ready().catch(() => true)) ? undefined : await attempt();
  let attempts = current ? 1 : 0;
  const notes: string[] = [];
  if (!current?.ok && within !== undefined && !ctx.signal.aborted) {
    const waited = await eventually(attempt, current, {
      withinMs: Math.max(deadline - performance.now(), 0),
      kube: ctx.kube,
      watch: watchPathFor(block.code),
      signal: ctx.signal,
      ...(ready ? { ready } : {}),
    });
    current = waited.result;
    attempts = waited.attempts;
    if (!current.ok)
      notes.push(`${Math.round(within / 1000)}초 동안 ${attempts}번 확인했지만 페이지의 상태가 되지 않았습니다.`);
  }
  if (!current) {
    // interrupted before the command ever ran: it runs now and stops at once, so the step still shows what it got
    current = await attempt();
    attempts++;
  }
  return { current, attempts, within, notes };
}

/** After the command, the state another step reads: its object through the API, else its command again. */
async function confirmed(ctx: RunContext, id: string): Promise<StepReport['confirm']> {
  const other = ctx.binding.steps.find((s) => s.step.id === id);
  const rule = other?.step.kind === 'run' ? other.step.object : undefined;
  return rule && other?.block
    ? { readings: [await read(ctx, rule, other.block.code)] }
    : { stdout: (await execute(ctx, other?.block?.code ?? 'false')).stdout };
}

/** A command that keeps running: ready when its port answers (or at its first output line), stopped at the end of the run. */
async function backgroundStep(bound: RunBound, ctx: RunContext, command: string, fetched: Fetched[]): Promise<Outcome> {
  const { port, within = '30s' } = bound.step.background!;
  const started = await startBackground(command, {
    cwd: ctx.workDir,
    env: ctx.env,
    signal: ctx.signal,
    port,
    withinMs: Math.min(durationMs(within), ctx.waitLimitMs ?? Infinity),
  });
  if (started.ready) ctx.background.push(started.stop);
  const streams = { stdout: clean(ctx, started.stdout), stderr: clean(ctx, started.stderr) };
  const exit = started.ready
    ? '-'
    : `${started.exitCode ?? '-'} (${started.why ?? `${within} 안에 ${port ? `127.0.0.1:${port} 가 응답하지 않음` : '출력이 없음'}`})`;
  const notes = started.ready
    ? [
        `백그라운드에서 실행 중입니다 (${port ? `127.0.0.1:${port} 가 응답함` : '첫 출력 줄이 나옴'}). 실행이 끝나면 프로세스 그룹째 멈춥니다.`,
      ]
    : [];
  const evidence = { exitCode: started.exitCode, streams, fetched };
  return judged(bound, ctx, evidence, notes, exit, { actual: showActual(streams) }).outcome;
}

const fileStep: Handler<FileStep> = async (bound, ctx) => {
  const block = bound.block!;
  const name = block.meta.getString('title') ?? '';
  const target = path.join(ctx.workDir, name);
  fs.writeFileSync(target, fileContent(block.code));
  // What is on disk now, read back: the evidence the verdict compares with the page's block.
  const written = { file: name, hash: fingerprint(fs.readFileSync(target)) };
  const notes = [`${path.relative(process.cwd(), target)} 에 썼습니다.`];
  return judged(bound, ctx, { written }, notes, undefined, { command: `cat > ${name} (페이지의 ${block.id} 블록)` })
    .outcome;
};

/** The page's `kubectl edit` with an editor applying exactly the marked lines, then the object read back. */
const editStep: Handler<EditStep> = async (bound, ctx) => {
  const block = bound.block!;
  const [, name = '', namespace = ''] = EDIT_COMMAND.exec(block.code.trim()) ?? [];
  const readService = () => orAbsent(ctx.kube.core.readNamespacedService({ name, namespace }));
  const before = await readService();
  const editor = await startEditServer(bound.changes);
  const a = await execute(ctx, block.code, { env: editor.env }).finally(() => editor.close());
  const after = await readService();
  const changes = bound.changes.map((c) => ({
    field: c.path.join('.'),
    documented: show(c.value),
    before: show(valueAt(before, c.path)),
    after: show(valueAt(after, c.path)),
  }));
  const evidence = { exitCode: a.exitCode, streams: { stdout: a.stdout, stderr: a.stderr }, changes };
  const notes = [
    `편집기(KUBE_EDITOR)가 페이지에 표시된 줄만 바꾸고, 편집 뒤 객체를 다시 읽어 확인했습니다: ${changes.map((c) => `${c.field} ${c.before} → ${c.after}`).join(', ')}`,
  ];
  return judged(bound, ctx, evidence, notes, describeExit(a), { actual: showActual(a) }).outcome;
};

/** The Service the page says answers at an address: the `kubectl get svc/…` step whose documented EXTERNAL-IP is that host. */
function serviceAt(ctx: RunContext, host: string): { name: string; namespace: string } | undefined {
  for (const b of ctx.binding.steps) {
    if (b.step.kind !== 'run' || b.step.object?.kind !== 'service' || !b.block || !b.step.output) continue;
    const documented = b.outputs.get(b.step.output.block)?.code;
    const get = parseGet(b.block.code);
    if (documented && get?.name && parseTable(documented).rows.some((r) => r['EXTERNAL-IP'] === host))
      return { name: get.name, namespace: get.namespace };
  }
  return undefined;
}

/**
 * A browser step: from the sandbox's client host (Provider.clientHost) the address must answer with the Service's
 * stand-in page, and Chromium saves a screenshot. Elsewhere a person checks it (manual).
 */
const manualStep: Handler<ManualStep> = async (bound, ctx) => {
  const anchor = bound.anchor;
  if (!anchor)
    return {
      status: 'manual',
      reason: `사람이 터미널에서 실행할 명령입니다 (${bound.step.title}). 런북은 실행하지 않습니다.`,
    };
  const client = ctx.target.sandbox?.clientHost;
  const url = anchor.links[0];
  const local = url !== undefined && /^(localhost|127\.0\.0\.1)$/.test(new URL(url).hostname);
  if (!client || !url || local) {
    const open = url ? `웹 브라우저로 ${anchor.links.join(', ')} 에 접속해 ` : '';
    return {
      status: 'manual',
      reason: `${open}"${anchor.caption}" 화면이 나오는지 직접 확인하세요. 런북은 ${url ? '이 주소에 접속하지' : '화면을 보지'} 않습니다.`,
    };
  }
  const service = serviceAt(ctx, new URL(url).hostname);
  if (!service)
    return {
      status: 'failed',
      problems: [
        `${url} 의 주소를 EXTERNAL-IP 로 적은 서비스 확인 단계가 페이지에 없어, 어느 서비스가 답해야 하는지 알 수 없습니다.`,
      ],
    };
  const screenshot = path.join(ctx.workDir, 'screenshots', `${bound.step.id.replace(/\//g, '-')}.png`);
  try {
    const r = await client.open(ctx.kube, { url, ...service }, screenshot, {
      signal: ctx.signal,
      show: (command) => pasteable(command, ctx.target),
    });
    return {
      status: 'passed',
      command: `(클라이언트 호스트에서 ${url} 을 HTTP 와 Chromium 으로 열기)`,
      browser: { url, status: r.status, title: r.title, screenshot, proven: r.proven, simulated: r.simulated },
      notes: [
        `${url} → HTTP ${r.status}, 제목 "${r.title}" (${r.seconds}초: 대역 백엔드 ${r.phases.backend}초, 첫 HTTP 응답 ${r.phases.http}초, Chromium 화면 ${r.phases.chromium}초)`,
      ],
    };
  } catch (error) {
    const e = error as Error & { hint?: string };
    return {
      status: 'failed',
      problems: [`${url} 를 클라이언트 호스트에서 열지 못했습니다: ${e.message}`],
      ...(e.hint ? { hint: e.hint } : {}),
      diagnostics: await diagnose(ctx, `kubectl get svc/${service.name} -n ${service.namespace}`, ''),
    };
  }
};

const handlers: Handlers = { run: runStep, file: fileStep, edit: editStep, manual: manualStep };

export const handle = (bound: BoundStep, ctx: RunContext): Promise<Outcome> =>
  (handlers[bound.step.kind] as Handler<typeof bound.step>)(bound, ctx);
