import { defineCommand, parseArgs, renderUsage, type ArgsDef, type CommandDef } from 'citty';
import { UsageError } from '../lib/errors.ts';
import type { Io } from '../lib/io.ts';
import { DEFAULT_SANDBOX } from './state.ts';
import { DEFAULT_KUBERNETES, KUBERNETES_RELEASES, resolveKubernetes } from './versions.ts';

export const PROVIDERS = ['kwok', 'kind', 'pods'] as const;
export type Provider = (typeof PROVIDERS)[number];

const nameArg = {
  type: 'string',
  description: `샌드박스 이름 (.cache/sandbox/<이름>/, 기본값 ${DEFAULT_SANDBOX})`,
  default: DEFAULT_SANDBOX,
} as const;

/** A subcommand whose only option is the sandbox's name. */
const named = (name: string, description: string) =>
  defineCommand({ meta: { name, description }, args: { name: nameArg } });

/** One definition per subcommand drives parsing and `--help`. */
export const COMMANDS = {
  up: defineCommand({
    meta: { name: 'up', description: '샌드박스 클러스터를 만듭니다 (이미 있으면 아무것도 하지 않습니다)' },
    args: {
      provider: {
        type: 'string',
        description:
          'kwok | kind | pods (pods: 실제 kubelet·containerd, root 필요. 기본값: 컨테이너 엔진이 응답하면 kind, 아니면 kwok)',
      },
      kubernetes: {
        type: 'string',
        description: `Kubernetes 마이너 버전: ${KUBERNETES_RELEASES.map((r) => r.minor).join(', ')} (기본값 ${DEFAULT_KUBERNETES})`,
      },
      name: nameArg,
      retain: {
        type: 'boolean',
        description: '실패해도 만들다 만 클러스터를 지우지 않습니다 (디버깅용)',
        default: false,
      },
    },
  }),
  down: named('down', '샌드박스가 시작한 모든 프로세스를 멈추고 폴더를 지웁니다 (여러 번 실행해도 안전)'),
  status: named('status', '프로바이더, 버전, 컨텍스트, kubeconfig, API 서버 응답, 프로세스 상태를 보여 줍니다'),
  kubeconfig: named('kubeconfig', 'kubeconfig 파일 경로만 출력합니다 (kind get kubeconfig처럼)'),
  logs: defineCommand({
    meta: { name: 'logs', description: '샌드박스의 구성요소 로그를 폴더에 모읍니다 (kind 는 kind export logs 까지)' },
    args: { name: nameArg, to: { type: 'string', description: '로그를 쓸 폴더 (필수)' } },
  }),
};

export type ClusterCommand =
  /** `kubernetes` undefined: the default, or whatever an existing sandbox of that name runs. */
  | { kind: 'up'; provider: Provider | undefined; kubernetes: string | undefined; name: string; retain: boolean }
  | { kind: 'down'; name: string }
  | { kind: 'status'; name: string }
  | { kind: 'kubeconfig'; name: string }
  | { kind: 'logs'; name: string; to: string }
  | { kind: 'help'; text: string };

const root = defineCommand({
  meta: { name: 'npm run cluster --', description: '검증용 샌드박스 Kubernetes 클러스터 (kwok 또는 kind)' },
  subCommands: COMMANDS,
});

/** The keys citty may return for these options, as given and camelCased (`--no-retain`: `noRetain`). */
function knownFlags(def: ArgsDef): Set<string> {
  const flags = Object.entries(def).flatMap(([n, a]) => (a.type === 'boolean' ? [n, `no-${n}`] : [n]));
  const names = ['help', 'h', ...flags];
  return new Set(['_', ...names, ...names.map((k) => k.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()))]);
}

/** argv → a typed command. Every mistake is a UsageError (exit 2) naming the value and the fix. */
export async function parseClusterArgs(argv: string[]): Promise<ClusterCommand> {
  const [sub, ...rest] = argv;
  if (!sub)
    throw new UsageError(
      'CLUSTER_NO_COMMAND',
      '하위 명령이 없습니다.',
      '사용법: npm run cluster -- up|down|status|kubeconfig (자세히: npm run cluster -- --help)',
    );
  if (sub === '--help' || sub === '-h' || sub === 'help') return { kind: 'help', text: await renderUsage(root) };
  if (!(sub in COMMANDS)) {
    throw new UsageError(
      'CLUSTER_UNKNOWN_COMMAND',
      `알 수 없는 하위 명령입니다: ${sub}`,
      `쓸 수 있는 명령: ${Object.keys(COMMANDS).join(', ')}`,
    );
  }
  const kind = sub as keyof typeof COMMANDS;
  const def = COMMANDS[kind];
  if (rest.includes('--help') || rest.includes('-h'))
    return { kind: 'help', text: await renderUsage(def as CommandDef, root as CommandDef) };
  const argsDef = def.args as ArgsDef;
  const parsed = parseArgs(rest, argsDef);
  const known = knownFlags(argsDef);
  const key = Object.keys(parsed).find((k) => !known.has(k));
  if (key !== undefined) {
    throw new UsageError(
      'CLUSTER_UNKNOWN_FLAG',
      `알 수 없는 옵션입니다: --${key} (${sub})`,
      `npm run cluster -- ${sub} --help 로 옵션을 확인하세요.`,
    );
  }
  if (parsed._.length) {
    throw new UsageError(
      'CLUSTER_UNEXPECTED_ARG',
      `필요 없는 인자입니다: ${parsed._.join(' ')}`,
      `옵션은 --이름 값 형태로 주세요. 예: npm run cluster -- ${sub} --name vdocs`,
    );
  }
  const name = String(parsed.name ?? DEFAULT_SANDBOX);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) {
    throw new UsageError(
      'CLUSTER_BAD_NAME',
      `샌드박스 이름이 올바르지 않습니다: --name ${name}`,
      '소문자, 숫자, 하이픈만 쓰세요. 예: --name vdocs',
    );
  }
  if (kind === 'logs') {
    if (typeof parsed.to !== 'string' || parsed.to === '')
      throw new UsageError(
        'CLUSTER_NO_LOGS_DIR',
        '로그를 쓸 폴더가 없습니다.',
        `예: npm run cluster -- logs --name ${name} --to logs/${name}`,
      );
    return { kind, name, to: parsed.to };
  }
  if (kind !== 'up') return { kind, name } as ClusterCommand;
  const provider = parsed.provider === undefined ? undefined : String(parsed.provider);
  if (provider !== undefined && !(PROVIDERS as readonly string[]).includes(provider)) {
    throw new UsageError(
      'CLUSTER_UNKNOWN_PROVIDER',
      `알 수 없는 프로바이더입니다: --provider ${provider}`,
      'kwok(Docker 없이 실제 컨트롤 플레인 + 흉내 낸 노드), kind(Docker가 있는 머신) 또는 pods(root, 실제 kubelet·containerd·runc)를 쓰세요. 예: npm run cluster -- up --provider kwok',
    );
  }
  const kubernetes = parsed.kubernetes === undefined ? undefined : String(parsed.kubernetes);
  if (kubernetes !== undefined) resolveKubernetes(kubernetes); // validates, with the list of known versions in the hint
  return { kind, provider: provider as Provider | undefined, kubernetes, name, retain: Boolean(parsed.retain) };
}

export type Handler<K extends ClusterCommand['kind']> = (
  cmd: Extract<ClusterCommand, { kind: K }>,
  io: Io,
) => Promise<number>;
