import type { Binding, BoundStep } from './bind.ts';
import { durationLabel } from './context.ts';
import { looksLikeOutput } from './blocks.ts';
import { isShellStep, pasteable } from './paste.ts';
import { LEASE } from './lease.ts';
import type { Mirror } from './mirror.ts';
import type { Target } from './target.ts';

/** Whether a step changes the cluster (edits always do; runs when the runbook says so). */
function writes(bound: BoundStep): boolean {
  return bound.step.kind === 'edit' || (bound.step.kind === 'run' && bound.step.writes === true);
}

function describeStep(bound: BoundStep, file: string, target: Target | undefined): string[] {
  const { step, block } = bound;
  const lines: (string | false | undefined)[] = [];
  if (block && step.kind !== 'file') {
    // With a target, as a person would paste it to reach that cluster (the page's text alone reaches the current context).
    const [first, ...rest] = (target && isShellStep(step) ? pasteable(block.code, target) : block.code).split('\n');
    lines.push(`$ ${first}`, ...rest.map((l) => `  ${l}`));
  }
  if (step.kind === 'run') {
    const { output, eventually, alreadyDone, confirm, drift, background } = step;
    const volatile = output?.kind === 'lines' && output.volatile ? `, 변하는 부분 ${output.volatile} 제외` : '';
    const compare = output?.kind === 'table' ? '표: 열별 비교' : output?.mode === 'exact' ? '줄: 정확히' : '줄: 포함';
    const looks = block && looksLikeOutput(block.code);
    lines.push(
      output && `출력 비교: ${output.block} (${compare}${volatile})`,
      eventually && `기다림: 페이지의 상태가 될 때까지 ${durationLabel(eventually.within)}`,
      alreadyDone && `조건: "${alreadyDone.line}" 가 나오면 ${alreadyDone.skip.join(', ')} 건너뜀`,
      confirm && `확인: 실행 뒤 ${confirm.step} 가 보여 주는 상태에 "${confirm.line}" (그 단계가 읽는 객체를 API 로)`,
      drift &&
        `Kubernetes ${drift.since} 이상: ${drift.output.block} 의 오류와 종료 코드 ${drift.exitCode} 를 기대 (페이지가 밝힌 차이)`,
      background &&
        `백그라운드: ${background.port ? `127.0.0.1:${background.port} 가 응답하면` : '첫 출력 줄이 나오면'} 다음 단계로, 실행이 끝나면 프로세스 그룹째 멈춤`,
      looks &&
        `경고: 이 명령 블록은 ${looks} 처럼 보입니다. 출력이라면 앞 명령의 출력 블록(of=)으로 두세요 (${file}:${block.line})`,
    );
  }
  if (step.kind === 'file')
    lines.push(`파일: 블록 내용 ${block?.code.split('\n').length ?? 0}줄을 ${block?.meta.getString('title')} 에 씀`);
  if (step.kind === 'edit')
    lines.push(
      `편집: ${step.spec} 블록에 표시된 줄 — ${bound.changes.map((c) => `${c.path.join('.')} = ${String(c.value)}`).join(', ')} (KUBE_EDITOR 가 이 줄만 바꿈)`,
    );
  if (step.kind === 'manual')
    lines.push(
      bound.anchor
        ? `수동 확인: ${bound.anchor.links.join(', ') || `그림 "${bound.anchor.caption}"`} — 런북은 접속하지 않습니다`
        : '수동: 사람이 실행하는 명령 — 런북은 실행하지 않습니다',
    );
  const head = `  ${step.id}  ${step.title}${writes(bound) ? '  [클러스터 변경]' : ''}  (${file}:${bound.line})`;
  return [head, ...lines.filter((l): l is string => !!l).map((l) => `          ${l}`)];
}

/** The plan `--dry-run` prints and the safety prompt shows: target, fixtures, every step. */
export function renderPlan(binding: Binding, target: Target | string, mirror: Mirror, selected: Set<string>): string {
  const out = [
    `런북 ${binding.runbook.name} — ${binding.page.file}`,
    typeof target === 'string'
      ? `대상: ${target}`
      : `대상: 컨텍스트 ${target.context} (${target.server}), ${target.sandbox ? `${target.provider} 샌드박스 "${target.sandbox.sandbox}"` : '사용자 클러스터'}`,
    `미러: ${mirror.dir ?? '없음 (원격 파일을 URL 에서 내려받음)'} — 원격 파일은 런북의 sha256 고정값(pins)과 같을 때만 씁니다`,
    '',
    '준비 (없으면 만드는 대역):',
    ...binding.fixtures.map(
      (f) =>
        `  ◇ Service ${f.namespace}/${f.name} — 페이지의 ${f.spec.id} 블록에서 표시된 줄을 뺀 모양 (type ClusterIP)  [클러스터 변경]`,
    ),
    '',
    '단계:',
    ...binding.steps.flatMap((bound, i) => {
      const [head, ...rest] = describeStep(bound, binding.page.file, typeof target === 'string' ? undefined : target);
      const mark = selected.has(bound.step.id) ? '' : '  (이번 실행에서 건너뜀)';
      return [`[${String(i + 1).padStart(2)}/${binding.steps.length}]${head}${mark}`, ...rest];
    }),
  ];
  return `${out.join('\n')}\n`;
}

/** Steps that change the cluster, for the confirmation prompt on a non-sandbox target. */
export function renderWrites(binding: Binding, selected: Set<string>): string {
  const list = binding.steps
    .filter((b) => selected.has(b.step.id) && writes(b))
    .map((b) => `  - ${b.step.id}: ${b.step.title}`);
  const fixtures = binding.fixtures.map((f) => `  - 없으면 만듦: Service ${f.namespace}/${f.name} (대역)`);
  const lease = `  - 실행하는 동안: Lease ${LEASE.namespace}/${LEASE.name} (같은 클러스터에서 두 실행이 겹치지 않게 함, 끝나면 지움)`;
  return [lease, ...fixtures, ...list].join('\n');
}
