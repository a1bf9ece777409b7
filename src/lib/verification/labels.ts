/**
 * The words the site uses for verification results, in one place. Mapped types make a missing
 * label for a new status or provider a compile error.
 */
import type { RunReport } from '../../../scripts/model/report.ts';
import type { MarkStatus, RunStatus, Verdict } from '../../../scripts/model/verdict.ts';
import { EN } from './labels-en.ts';

export const NO_REPORT = '아직 검증 기록이 없습니다';

/** Why a nightly build has no report of tonight's run (src/lib/verification/reports.ts `Absence`). */
type AbsenceKind = 'failed' | 'setup' | 'none';

/** A nightly build's version without a report of tonight's run (src/lib/verification/reports.ts `Absence`). */
export const TONIGHT_LABEL: Record<AbsenceKind, string> = {
  failed: '오늘 밤 검증 실패',
  setup: '검증하지 못함 (설정 실패)',
  none: '오늘 밤 검증 없음',
};

export const TONIGHT_NOTE: Record<AbsenceKind, string> = {
  failed:
    '오늘 밤 이 버전의 검증이 보고서를 남기기 전에 실패했습니다. 예전 결과는 보여 주지 않습니다. 실행 기록에서 원인을 확인하세요.',
  setup:
    '오늘 밤에는 검증을 시작하기 전의 준비 단계(패키지 설치, 체크섬 확인, 네트워크, 이미지 받기, npm ci 등)가 실패해 이 버전을 검증하지 못했습니다. 페이지의 실패가 아닙니다. 실행 기록에서 원인을 확인하세요.',
  none: '오늘 밤 이 버전의 검증 보고서가 도착하지 않았습니다. 예전 결과는 보여 주지 않습니다. 실행 기록에서 이 버전이 실행되었는지 확인하세요.',
};

/** Before the last real result shown beside a version whose setup failed tonight. */
export const LAST_RESULT = '마지막 검증 결과 (오늘 밤 결과가 아닙니다)';

/** What that last result is, in one sentence. */
export const LAST_RESULT_NOTE =
  '저장소에 커밋된 이 버전의 마지막 검증 보고서입니다. 오늘 밤 실행한 결과가 아니니 날짜를 확인하세요.';

/** The link text to the nightly workflow run. */
export const RUN_LINK = '오늘 밤 실행 기록';

/** What a step mark says. */
export const STEP_LABEL: Record<MarkStatus, string> = {
  passed: '통과',
  already: '이미 적용되어 있음',
  written: '파일 작성',
  failed: '실패',
  skipped: '건너뜀',
  manual: '수동 확인',
  fixture: '준비 단계',
  standin: '대역으로 확인',
  stale: '바뀐 뒤 아직 검증되지 않음',
  error: '검증 오류: 보고서가 증거와 맞지 않음',
};

/** A decorative symbol per status; the label carries the meaning (never colour or symbol alone). */
export const STEP_ICON: Record<MarkStatus, string> = {
  passed: '✓',
  already: '≡',
  written: '✎',
  failed: '✗',
  skipped: '–',
  manual: '☐',
  fixture: '⚙',
  standin: '◐',
  stale: '↻',
  error: '⚠',
};

/** What the marks that are not a ✓ mean, for the badge and the step pages. */
const ALREADY_NOTE =
  '명령의 출력이 페이지가 밝힌 "이미 적용됨" 줄이어서, 다음 단계를 페이지의 조건대로 건너뛰었습니다. 바꾸는 단계 자체는 이 실행에서 확인하지 않았습니다.';
const WRITTEN_NOTE = '페이지의 파일 블록을 작업 폴더에 그대로 썼습니다. 그 파일을 쓰는 다음 명령이 확인합니다.';
export const ERROR_NOTE =
  '보고서에 남은 증거(출력, 종료 코드, API 로 읽은 값)를 지금의 페이지와 런북으로 다시 확인한 결과가 보고서의 상태와 다릅니다. 이 결과는 믿을 수 없습니다. 다시 검증하세요.';

/** Why a stand-in mark is not a ✓, for the badge and the marks. */
const STANDIN_NOTE =
  '런북이 페이지의 YAML 로 만든 대역 객체와 비교했기 때문에, 페이지와 같을 수밖에 없는 확인입니다. 실제 서비스가 있는 클러스터에서만 의미가 있습니다.';

/** What a whole run says (from the verdict, never from the report's own field). */
export const RUN_LABEL: Record<RunStatus, string> = {
  passed: '통과',
  failed: '실패',
  partial: '부분 실행: 일부 단계만 실행함',
  interrupted: '중단',
  stale: '바뀐 뒤 아직 검증되지 않음',
  // The badge reads "검증 <label>": "검증 오류: …".
  error: '오류: 보고서가 증거와 맞지 않음',
};

export const RUN_ICON: Record<RunStatus, string> = {
  passed: '✓',
  failed: '✗',
  partial: '◔',
  interrupted: '■',
  stale: '↻',
  error: '⚠',
};

/** Where the run read the page's remote files from (the mirror or the URLs), each checked against its sha256 pin; undefined when it read none. */
export function inputsLine(report: Pick<RunReport, 'steps'>, words: Words = KO): string | undefined {
  const sources = new Set(report.steps.flatMap((s) => (s.fetched ?? []).map((f) => f.source)));
  if (sources.size === 0) return undefined;
  return words.inputs(sources.has('mirror') ? (sources.has('url') ? 'both' : 'mirror') : 'url');
}

/** The label on a report made from a tree with uncommitted changes. */
export const UNCOMMITTED = '커밋하지 않은 코드로 만든 결과';

/** Where the cluster of a run came from. */
export const PROVIDER_LABEL: Record<RunReport['provider'], string> = {
  kwok: 'kwok 샌드박스',
  kind: 'kind 클러스터',
  pods: '실제 파드 샌드박스',
  context: '지정한 클러스터',
};

export const PROVIDER_NOTE: Record<RunReport['provider'], string> = {
  kwok: '노드와 kubelet 을 흉내 내는 가벼운 샌드박스입니다. API 서버와 컨트롤러는 실제로 실행됩니다.',
  kind: 'Docker 컨테이너 안에서 실제 노드로 실행되는 클러스터입니다.',
  pods: '이 머신의 네트워크 네임스페이스 안에서 진짜 kubelet, containerd, runc, kube-proxy 가 파드를 실제로 실행하는 한 노드 클러스터입니다. 페이지의 주소(192.168.35.x)는 그 네임스페이스 안에만 있습니다.',
  context: 'kubeconfig 의 컨텍스트로 지정한 클러스터입니다.',
};

const KST = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Seoul',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** `2026-11-27T03:38:57Z` → `2026-11-27 12:38 KST`. */
export function kst(iso: string): string {
  const parts = Object.fromEntries(KST.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts['year']}-${parts['month']}-${parts['day']} ${parts['hour']}:${parts['minute']} KST`;
}

/** `kst()` without the time: `2026-11-27`. */
export function kstDate(iso: string): string {
  return kst(iso).slice(0, 10);
}

/** `1542.25` → `1.5초`, `84.4` → `0.08초`. */
export function seconds(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)}초` : `${(ms / 1000).toFixed(2)}초`;
}

/** A report made on a cluster where other pages ran first (`runbook.continuesFrom`). */
export function continuesLabel(runbooks: readonly string[], words: Words = KO): string {
  return words.continues(runbooks.join(' → '));
}

/** A short note on what a kwok run simulated, from the report's own lists. */
export function simulationSummary(report: Pick<RunReport, 'simulation'>, words: Words = KO): string | undefined {
  const sim = report.simulation;
  return sim && words.simulation(sim.simulated.length, sim.real.length);
}

/** Site path of the details of one (runbook, version), without the base: `verification/metallb/1.37/`. */
export function detailsPath(runbook: string, minor: string): string {
  return `verification/${runbook}/${minor}/`;
}

/** Anchor of a step on the details page: `istio/get-after` → `step-istio-get-after`. */
export function stepAnchor(stepId: string): string {
  return `step-${stepId.replace(/\//g, '-')}`;
}

/** `base` + site path, e.g. `withBase('/docs', 'verification/')` → `/docs/verification/`. */
export function withBase(base: string, sitePath: string): string {
  return `${base.replace(/\/$/, '')}/${sitePath.replace(/^\//, '')}`;
}

type Shown = { report: Pick<RunReport, 'finishedAt' | 'provider'>; verdict: Pick<Verdict, 'status' | 'uncommitted'> };

/**
 * One line for a version's result: `통과 · 2026-11-27 · kwok`, `오늘 밤 검증 실패` (nightly),
 * `검증하지 못함 (설정 실패) · 마지막 검증 결과 (오늘 밤 결과가 아닙니다): 통과 · 2026-11-27 · kind`, or `아직 검증 기록이 없습니다`.
 */
export function resultLine(
  result: {
    report: Shown['report'] | undefined;
    verdict: Shown['verdict'] | undefined;
    absence?: { kind: AbsenceKind; last?: Shown | undefined } | undefined;
  },
  words: Words = KO,
): string {
  const { report, verdict, absence } = result;
  const line = (shown: Shown) =>
    `${words.run[shown.verdict.status]} · ${kstDate(shown.report.finishedAt)} · ${shown.report.provider}${shown.verdict.uncommitted ? ` · ${words.uncommitted}` : ''}`;
  if (report && verdict) return line({ report, verdict });
  if (!absence) return words.noReport;
  return absence.last
    ? `${words.tonight[absence.kind]} · ${words.lastResult}: ${line(absence.last)}`
    : words.tonight[absence.kind];
}

/** `data-status` of a version without tonight's report: a failed leg is failed; a setup failure or nothing is no result. */
export function absenceStatus(absence: { kind: AbsenceKind } | undefined): 'failed' | 'none' {
  return absence?.kind === 'failed' ? 'failed' : 'none';
}

/** How many steps show each mark, for people: `통과 12 · 대역으로 확인 4 · 수동 확인 4`. */
export function countsLine(counts: Record<MarkStatus, number>, words: Words = KO): string {
  return (Object.keys(STEP_LABEL) as MarkStatus[])
    .filter((k) => k !== 'fixture' && counts[k] > 0)
    .map((k) => `${words.step[k]} ${counts[k]}`)
    .join(' · ');
}

/**
 * Everything the badge and the marks say, in one language: Korean from the constants above, English
 * in labels-en.ts. A page's words follow the language of its text (a translation's locale).
 */
export interface Words {
  step: Record<MarkStatus, string>;
  run: Record<RunStatus, string>;
  noReport: string;
  tonight: Record<AbsenceKind, string>;
  tonightNote: Record<AbsenceKind, string>;
  lastResult: string;
  runLink: string;
  uncommitted: string;
  provider: Record<RunReport['provider'], string>;
  providerNote: Record<RunReport['provider'], string>;
  alreadyNote: string;
  writtenNote: string;
  errorNote: string;
  standinNote: string;
  inputs: (where: 'mirror' | 'url' | 'both') => string;
  continues: (chain: string) => string;
  simulation: (simulated: number, real: number) => string;
  /** Marks (mark-element.ts). */
  mark: {
    result: string;
    expected: string;
    actual: string;
    details: string;
    showDiff: string;
    showReason: string;
    whyNot: string;
    whatWrong: string;
    whatChanged: string;
  };
  /** The badge (Badge.astro). */
  badge: {
    label: string;
    verified: (run: string) => string;
    noComponents: string;
    failedSteps: string;
    more: (n: number) => string;
    environment: string;
    ranCode: string;
    ciRun: string;
    simulated: string;
    real: string;
    fixtures: string;
    standIns: (n: number) => string;
    otherVersions: string;
    detailsOf: (minor: string) => string;
    overview: string;
    /** On a translation: where its marks come from. */
    translation: string;
  };
}

const KO: Words = {
  step: STEP_LABEL,
  run: RUN_LABEL,
  noReport: NO_REPORT,
  tonight: TONIGHT_LABEL,
  tonightNote: TONIGHT_NOTE,
  lastResult: LAST_RESULT,
  runLink: RUN_LINK,
  uncommitted: UNCOMMITTED,
  provider: PROVIDER_LABEL,
  providerNote: PROVIDER_NOTE,
  alreadyNote: ALREADY_NOTE,
  writtenNote: WRITTEN_NOTE,
  errorNote: ERROR_NOTE,
  standinNote: STANDIN_NOTE,
  inputs: (where) =>
    `원격 파일: ${{ mirror: '오프라인 미러 사본', url: 'URL', both: '일부는 오프라인 미러 사본, 나머지는 URL' }[where]}에서 읽음 (런북의 sha256 고정값으로 확인)`,
  continues: (chain) => `앞 페이지(${chain})를 먼저 실행한 같은 클러스터에서 검증`,
  simulation: (simulated, real) => `시뮬레이션 포함: ${simulated}가지는 흉내 냈고, ${real}가지는 실제로 실행했습니다.`,
  mark: {
    result: '검증 결과: ',
    expected: '기대한 출력 (페이지)',
    actual: '실제 출력 (클러스터)',
    details: '단계별 검증 기록에서 보기',
    showDiff: '기대한 출력과 실제 출력 보기',
    showReason: '이유 보기',
    whyNot: '왜 ✓ 가 아닌가요?',
    whatWrong: '무엇이 맞지 않나요?',
    whatChanged: '무엇이 바뀌었나요?',
  },
  badge: {
    label: '검증 상태',
    verified: (run) => `검증 ${run}`,
    noComponents: '구성 요소 버전 기록 없음',
    failedSteps: '실패한 단계:',
    more: (n) => `외 ${n}가지`,
    environment: '실행 환경과 준비 단계',
    ranCode: '실행한 코드: 커밋',
    ciRun: 'CI 실행 기록',
    simulated: '흉내 낸 것',
    real: '실제로 실행한 것',
    fixtures: '준비 단계: 앞 장에서 설치되는 서비스를 대신하는 대역',
    standIns: (n) => `대역으로 확인한 단계 (${n}개): 통과로 세지 않습니다`,
    otherVersions: '다른 버전:',
    detailsOf: (minor) => `단계별 검증 기록 보기 (Kubernetes ${minor})`,
    overview: '검증 현황',
    translation:
      '이 번역의 표시는 원문 페이지의 실행 결과입니다. 실행이 확인한 것과 다른 명령이나 출력은 바뀐 것으로 표시합니다.',
  },
};

/** The words for a page in `lang` (a BCP-47 tag or a locale folder): English for `en…`, else Korean. */
export function wordsFor(lang: string | undefined): Words {
  return lang?.toLowerCase().startsWith('en') ? EN : KO;
}
