import type { ParsedArgs } from 'citty';
import fs from 'node:fs';
import path from 'node:path';
import { parseCommand, closest } from '../lib/args.ts';
import { UsageError } from '../lib/errors.ts';
import { askYes, type Io } from '../lib/io.ts';
import { readPage } from '../model/page.ts';
import { availableRunbooks, importRunbook, importRunbookFile } from '../model/runbooks.ts';
import { cacheDir, projectRoot } from '../lib/paths.ts';
import { bind, type Binding } from './bind.ts';
import { createMirror, downloadWith } from './mirror.ts';
import { renderPlan, renderWrites } from './plan.ts';
import type { RunReport } from '../model/report.ts';
import { writeReport } from './report.ts';
import { writeAtomic } from '../lib/fs.ts';
import { Redactor } from './redact.ts';
import { kubectlMissing, resolveTarget, type Target } from './target.ts';
import { shellQuote, which } from '../lib/process.ts';
import type { Runbook } from '../model/runbook.ts';
import type { execute } from './runner.ts';

const command = {
  meta: { name: 'runbook', description: '페이지의 모든 단계를 실행하고, 출력이 페이지와 같은지 확인합니다.' },
  args: {
    name: { type: 'positional', description: '런북 이름 (runbooks/<이름>.ts)', required: false },
    context: { type: 'string', description: '샌드박스 대신 kubeconfig 의 이 컨텍스트에서 실행 (확인을 받습니다)' },
    sandbox: { type: 'string', description: '샌드박스 이름 (기본: vdocs)' },
    'dry-run': { type: 'boolean', description: '실행하지 않고 계획만 출력' },
    from: { type: 'string', description: '이 단계부터 실행 (준비 단계는 먼저 보장)' },
    only: { type: 'string', description: '이 단계만 실행 (준비 단계는 먼저 보장)' },
    report: { type: 'string', description: 'JSON 보고서를 쓸 파일' },
    junit: { type: 'string', description: 'JUnit XML 을 쓸 파일' },
    'keep-going': { type: 'boolean', description: '실패한 단계 뒤에도 계속 실행' },
    mirror: { type: 'string', description: '원격 URL 대신 읽을 미러 폴더 (<host>/<path>; 기본: RUNBOOK_MIRROR)' },
    yes: { type: 'boolean', description: '터미널이 아닐 때 샌드박스가 아닌 클러스터에서 실행하는 것을 승인' },
    page: { type: 'string', description: '런북의 페이지 대신 읽을 페이지 파일 (페이지 사본을 시험할 때)' },
    workdir: { type: 'string', description: '명령을 실행할 폴더 (기본: .cache/runs/<런북>)' },
    'continues-from': {
      type: 'string',
      description: '이 클러스터에서 먼저 실행한 런북들 (쉼표로 구분, 보고서에 적음; npm run verify 가 씀)',
    },
    update: {
      type: 'boolean',
      description:
        '실행한 뒤 실제 출력과 다른 출력 블록을 페이지에 씁니다 (차이를 보이고 묻습니다; --yes 면 묻지 않음)',
    },
    runbook: {
      type: 'string',
      description: 'runbooks/<이름>.ts 대신 읽을 런북 파일 (npm run runbook -- new 로 만든 사본용)',
    },
  },
} as const;

export async function loadRunbook(name: string | undefined): Promise<Runbook> {
  const names = availableRunbooks(projectRoot);
  if (!name || !names.includes(name)) {
    const near = name ? closest(name, names) : undefined;
    throw new UsageError(
      name ? 'UNKNOWN_RUNBOOK' : 'NO_RUNBOOK',
      name ? `런북 "${name}" 이 없습니다.` : '실행할 런북 이름을 주세요.',
      `있는 런북: ${names.join(', ')}${near ? ` ("${near}" 를 뜻했나요?)` : ''}. 예: npm run runbook -- ${near ?? names[0]}`,
    );
  }
  return importRunbook(projectRoot, name);
}

/** Which steps run: all, from one step on, or one step. Unknown ids are usage errors. */
function selectSteps(binding: Binding, from: string | undefined, only: string | undefined): Set<string> {
  const ids = binding.steps.map((s) => s.step.id);
  for (const [flag, id] of Object.entries({ '--from': from, '--only': only })) {
    if (id !== undefined && !ids.includes(id)) {
      const near = closest(id, ids);
      throw new UsageError(
        'UNKNOWN_STEP',
        `${flag} ${id}: 런북 ${binding.runbook.name} 에 이 단계가 없습니다.`,
        `${near ? `"${near}" 를 뜻했나요? ` : ''}단계 목록은 npm run runbook -- ${binding.runbook.name} --dry-run 으로 보세요.`,
      );
    }
  }
  if (from && only)
    throw new UsageError('FLAG_CONFLICT', '--from 과 --only 는 함께 쓸 수 없습니다.', '둘 중 하나만 주세요.');
  return new Set(only ? [only] : from ? ids.slice(ids.indexOf(from)) : ids);
}

/** RUNBOOK_WAIT_LIMIT (seconds) caps every declared wait; tests use it to fail fast. */
function waitLimitMs(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new UsageError(
      'BAD_WAIT_LIMIT',
      `RUNBOOK_WAIT_LIMIT 는 0 보다 큰 초 단위 숫자여야 합니다: ${value}`,
      '예: RUNBOOK_WAIT_LIMIT=5, 또는 변수를 지워 페이지가 밝힌 기다림을 그대로 쓰세요.',
    );
  return seconds * 1000;
}

/** Asks before changing a cluster this project did not create. Returns false when refused. */
async function confirmTarget(binding: Binding, target: Target, selected: Set<string>, yes: boolean, io: Io) {
  if (target.sandbox) return true;
  io.err(
    `이 런북은 샌드박스가 아닌 클러스터를 바꿉니다.\n  컨텍스트: ${target.context}\n  API 서버: ${target.server}\n  kubeconfig: ${target.kubeconfig} (이 컨텍스트만 든 사본, 실행 뒤에도 남겨 출력된 명령을 붙여 넣을 수 있게 함)\n바꾸는 단계:\n${renderWrites(binding, selected)}\n`,
  );
  return askYes(
    io,
    yes,
    `컨텍스트 ${target.context} 에서 실행할까요?`,
    `컨텍스트 ${target.context} 는 샌드박스가 아니어서 확인이 필요한데, 터미널이 아니라 물어볼 수 없습니다.`,
    '위 단계를 검토한 뒤 --yes 를 붙여 다시 실행하세요.',
  );
}

type Args = ParsedArgs<(typeof command)['args']>;

export async function main(argv: string[], io: Io): Promise<number> {
  if (argv[0] === 'new') return (await import('./scaffold-cli.ts')).main(argv.slice(1), io);
  const args = await parseCommand(argv, command, io);
  if (!args) return 0;
  if (args.update && args['dry-run'])
    throw new UsageError(
      'FLAG_CONFLICT',
      '--update 와 --dry-run 은 함께 쓸 수 없습니다.',
      '--update 는 실행한 출력을 씁니다. 계획만 보려면 --dry-run 만 주세요.',
    );
  // The API client takes most of a second to load: start now, while the page is read and bound.
  if (!args['dry-run']) void import('../lib/client.ts').then((c) => c.preloadClient(io.env)).catch(() => undefined);
  const runbook = args.runbook
    ? await importRunbookFile(path.resolve(io.cwd, args.runbook))
    : await loadRunbook(args.name);
  const page = readPage(args.page ?? runbook.page, projectRoot);
  const binding = bind(runbook, page);
  const selected = selectSteps(binding, args.from, args.only);
  const mirrorDir = args.mirror ?? io.env.RUNBOOK_MIRROR;
  const mirrorPath = mirrorDir ? path.resolve(io.cwd, mirrorDir) : undefined;
  if (mirrorPath && !fs.statSync(mirrorPath, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(
      'MIRROR_MISSING',
      `미러 폴더가 없습니다: ${mirrorDir} (${args.mirror ? '--mirror' : 'RUNBOOK_MIRROR'})`,
      '<host>/<path> 구조의 폴더를 가리키세요. 예: RUNBOOK_MIRROR=../shared/mirror',
    );
  }
  const mirror = createMirror(mirrorPath, { download: downloadWith(io.env) });
  const waitLimit = waitLimitMs(io.env.RUNBOOK_WAIT_LIMIT);
  if (args['dry-run']) {
    let target: Target | string;
    try {
      target = resolveTarget({ context: args.context, sandbox: args.sandbox }, io);
      target.save(); // the plan's commands name this file
    } catch (error) {
      if (!(error instanceof UsageError) || error.code !== 'NO_SANDBOX') throw error;
      target = '샌드박스 없음 — 실행하려면 먼저 npm run cluster -- up';
    }
    io.out(renderPlan(binding, target, mirror, selected));
    io.err(`\n계획만 출력했습니다. 실행: npm run runbook -- ${runbook.name}${targetFlags(args)}\n`);
    return 0;
  }
  const target = resolveTarget({ context: args.context, sandbox: args.sandbox }, io);
  const env = runEnv(runbook, target, io);
  if (!(await confirmTarget(binding, target, selected, args.yes === true, io))) {
    io.err('실행하지 않았습니다. 클러스터는 바뀌지 않았습니다.\n');
    return 1;
  }
  // Kept after the run: the failures it prints name this file.
  target.save();
  return runAndReport(args, binding, target, { selected, mirror, waitLimitMs: waitLimit, env }, io);
}

/** The environment of the run's commands, once the target can run the page and kubectl is there. */
function runEnv(runbook: Runbook, target: Target, io: Io): Record<string, string | undefined> {
  const needsPods = runbook.needs?.runningPods;
  if (needsPods && target.sandbox && !target.sandbox.runsPods) {
    throw new UsageError(
      'PROVIDER_CANNOT_RUN_PAGE',
      `런북 ${runbook.name} 은 파드가 실제로 실행되는 클러스터가 필요한데, 샌드박스 "${target.sandbox.sandbox}" 의 ${target.provider} 는 파드를 Running 으로 표시만 합니다: ${needsPods}`,
      `파드를 실행하는 샌드박스를 만드세요: ${target.sandbox.command('down')} 후 ${target.sandbox.command('up')} --provider pods (root 권한과 cgroup v1 이 필요합니다), 또는 Docker 가 있으면 --provider kind.`,
    );
  }
  const env: Record<string, string | undefined> = {
    ...io.env,
    KUBECONFIG: target.kubeconfig,
    ...target.sandbox?.env(),
    PATH: [target.binDir, io.env.PATH].filter(Boolean).join(path.delimiter),
  };
  if (!which('kubectl', env)) throw kubectlMissing();
  return env;
}

/** Runs the chosen steps, writes the report and, with --update, the page; returns the exit code. */
async function runAndReport(
  args: Args,
  binding: Binding,
  target: Target,
  options: Pick<Parameters<typeof execute>[3], 'selected' | 'mirror' | 'waitLimitMs' | 'env'>,
  io: Io,
): Promise<number> {
  const { runbook } = binding;
  // The default folder is one per runbook and cluster, so runs against two sandboxes never share it; it
  // is ours to clear, but only once the run holds the cluster's lease (runner.ts). A folder the user names
  // is only created, never emptied.
  const workDir = path.resolve(
    io.cwd,
    args.workdir ?? path.join(cacheDir(io.env), 'runs', runbook.name, target.context.replace(/[^\w.-]/g, '_')),
  );
  fs.mkdirSync(workDir, { recursive: true });
  const { execute, summarize } = await import('./runner.ts');
  const redactor = new Redactor();
  const before = args['continues-from']?.split(',').flatMap((n) => n.trim() || []);
  const run = async (b: Binding) => {
    const executed = await execute(b, target, io, {
      ...options,
      // --update runs every chosen step (a wrong output block must not hide the blocks after it).
      keepGoing: args['keep-going'] === true || args.update === true,
      workDir,
      clearWorkDir: !args.workdir,
      redactor,
    });
    const r = before?.length ? { ...executed, continuesFrom: before } : executed;
    await writeOutputs(r, args, workDir, io, redactor, target);
    io.out(summarize(r, b));
    return r;
  };
  const report = await run(binding);
  const again = `${args.runbook ? `--runbook ${shellQuote(args.runbook)}` : runbook.name}${args.page ? ` --page ${shellQuote(args.page)}` : ''}${targetFlags(args)}`;
  if (args.update) {
    const file = path.resolve(projectRoot, args.page ?? runbook.page);
    const verify = () => run(bind(runbook, readPage(args.page ?? runbook.page, projectRoot)));
    const { updatePage } = await import('./update.ts');
    return updatePage({ binding, report, file, io, yes: args.yes === true, verify, command: again });
  }
  io.err(nextCommand(report, again, target));
  // A partial run whose chosen steps all passed exits 0, but its report says `partial`, never passed.
  return report.status === 'passed' || report.status === 'partial' ? 0 : report.status === 'interrupted' ? 130 : 1;
}

/** Report, JUnit and the component logs the run read at its end (copied from the run's folder to `<report>.logs/<name>.log`, paths relative to the report). */
async function writeOutputs(report: RunReport, args: Args, dir: string, io: Io, redactor: Redactor, target: Target) {
  const file = path.resolve(io.cwd, args.report ?? path.join(dir, 'report.json'));
  const base = file.replace(/\.json$/, '');
  const logs: Record<string, string> = {};
  for (const [name, source] of Object.entries(report.logs)) {
    if (!fs.existsSync(source)) continue;
    const copy = path.join(`${base}.logs`, `${name}.log`);
    writeAtomic(copy, redactor.apply(fs.readFileSync(source, 'utf8')));
    logs[name] = path.relative(path.dirname(file), copy);
  }
  // Screenshots of browser steps go beside the report too (`<report>.screenshots/`), paths relative to it.
  const steps = report.steps.map((s) => {
    if (!s.browser || !fs.existsSync(s.browser.screenshot)) return s;
    const copy = path.join(`${base}.screenshots`, path.basename(s.browser.screenshot));
    fs.mkdirSync(path.dirname(copy), { recursive: true });
    fs.copyFileSync(s.browser.screenshot, copy);
    return { ...s, browser: { ...s.browser, screenshot: path.relative(path.dirname(file), copy) } };
  });
  writeReport(file, { ...report, steps, logs });
  io.err(`보고서: ${path.relative(io.cwd, file)}\n`);
  if (args.junit) {
    const { toJUnit } = await import('./junit.ts');
    writeAtomic(path.resolve(io.cwd, args.junit), toJUnit(report, target));
    io.err(`JUnit: ${args.junit}\n`);
  }
}

/** The flags that chose the target, for the next command printed (without them it would run elsewhere). */
function targetFlags(args: { context?: string | undefined; sandbox?: string | undefined }): string {
  return `${args.context ? ` --context ${shellQuote(args.context)}` : ''}${args.sandbox ? ` --sandbox ${shellQuote(args.sandbox)}` : ''}`;
}

/** `name` is the runbook with its target flags. */
function nextCommand(report: RunReport, name: string, target: Target): string {
  if (report.status === 'passed') {
    const manual = report.steps.some((s) => s.status === 'manual') ? '수동 확인 단계를 직접 확인하고, ' : '';
    return target.sandbox
      ? `다음: ${manual}끝나면 ${target.sandbox.command('down')} 으로 샌드박스를 정리하세요.\n`
      : manual
        ? `다음: ${manual.replace(/, $/, '')}.\n`
        : '';
  }
  if (report.status === 'partial')
    return `고른 단계는 모두 통과했지만 부분 실행이라 페이지 전체의 검증은 아닙니다. 전체 검증: npm run runbook -- ${name}\n`;
  const failed = report.steps.find((s) => s.status === 'failed');
  if (report.status === 'interrupted')
    return `중단되었습니다. 이어서 실행: npm run runbook -- ${name}${failed ? ` --from ${failed.id}` : ''}\n`;
  return `다음: 위 차이를 고친 뒤 npm run runbook -- ${name} --from ${failed?.id ?? ''} 로 다시 실행하세요.\n`;
}
