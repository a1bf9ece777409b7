import type { RunReport } from '../model/report.ts';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { UsageError } from '../lib/errors.ts';
import type { Io } from '../lib/io.ts';
import { DEFAULT_SANDBOX, openSandbox, type Provider } from '../cluster/provider.ts';
import { formatCommand, which } from '../lib/process.ts';
import { writeAtomic } from '../lib/fs.ts';
import { cacheDir } from '../lib/paths.ts';

/** The cluster a run talks to, and how commands reach it. */
export interface Target {
  provider: RunReport['provider'];
  context: string;
  server: string;
  /** kubeconfig file given to every command as KUBECONFIG (current-context = `context`). */
  kubeconfig: string;
  /** Folder with a kubectl built for the sandbox's version, put first on PATH. */
  binDir: string | undefined;
  /** Set when the target is a sandbox this project created (safe to change): its provider, the only way the run reaches it. */
  sandbox: Provider | undefined;
  /** Writes a --context target's private kubeconfig once the run is agreed to; it stays, for the printed commands. */
  save(): void;
}

interface KubeconfigFile {
  'current-context'?: string;
  contexts?: { name: string; context: { cluster: string; user?: string; namespace?: string } }[];
  clusters?: { name: string; cluster: { server: string } & Record<string, unknown> }[];
  users?: { name: string; user: Record<string, unknown> }[];
}

const invalid = (message: string, hint = 'kubectl config view 로 파일을 확인하세요.') =>
  new UsageError('KUBECONFIG_INVALID', message, hint);

/** The user's kubeconfig files, as kubectl finds them (KUBECONFIG list, else ~/.kube/config). */
function userKubeconfigs(env: Io['env']): string[] {
  const list = env.KUBECONFIG?.split(path.delimiter).filter(Boolean);
  return list && list.length > 0 ? list : [path.join(env.HOME ?? os.homedir(), '.kube', 'config')];
}

/** The merged kubeconfig as kubectl sees it, and the file each user came from. Only checks and names: kubectl makes the copy. */
function loadKubeconfig(files: string[]): KubeconfigFile & { userOrigin: Map<string, string> } {
  const merged: Required<Pick<KubeconfigFile, 'contexts' | 'clusters' | 'users'>> & KubeconfigFile = {
    contexts: [],
    clusters: [],
    users: [],
  };
  const userOrigin = new Map<string, string>();
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      if (files.length > 1 && (error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new UsageError(
        'KUBECONFIG_UNREADABLE',
        `kubeconfig 를 읽을 수 없습니다: ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
        'KUBECONFIG 환경 변수나 ~/.kube/config 가 읽을 수 있는 파일을 가리키는지 확인하세요.',
      );
    }
    let parsed: KubeconfigFile;
    try {
      parsed = (YAML.parse(text) ?? {}) as KubeconfigFile;
    } catch (error) {
      throw invalid(`kubeconfig ${file} 가 올바른 YAML 이 아닙니다: ${(error as Error).message.split('\n')[0]}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw invalid(`kubeconfig ${file} 에 설정이 없습니다.`);
    // kubectl's merge rule: the first file to define a name wins.
    merged['current-context'] ??= parsed['current-context'];
    for (const key of ['contexts', 'clusters', 'users'] as const) {
      for (const item of parsed[key] ?? []) {
        const list = merged[key] as { name: string }[];
        if (list.some((x) => x.name === item.name)) continue;
        list.push(item);
        if (key === 'users') userOrigin.set(item.name, file);
      }
    }
  }
  return { ...merged, userOrigin };
}

/**
 * The private kubeconfig for `--context`: kubectl's own `config view --minify --flatten` (its merge, certificates and
 * keys embedded). Flatten leaves `tokenFile` and an exec `command` with a slash, which client-go resolves against the
 * kubeconfig's folder: the copy lives elsewhere, so they are made absolute against the file that defined the user.
 */
function minifiedKubeconfig(
  kubectl: string,
  files: string[],
  context: string,
  userOrigin: Map<string, string>,
  env: Io['env'],
): KubeconfigFile {
  const args = ['config', 'view', '--minify', '--flatten', '--context', context, '-o', 'json'];
  const shown = { KUBECONFIG: files.join(path.delimiter) };
  const r = spawnSync(kubectl, args, {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...env, ...shown } as NodeJS.ProcessEnv,
  });
  if (r.status !== 0) {
    const why = (r.stderr || r.error?.message || '').trim();
    throw invalid(
      `kubectl 이 컨텍스트 "${context}" 만 든 kubeconfig 를 만들지 못했습니다: ${why}\n  $ ${formatCommand(kubectl, args, shown)}`,
      'kubeconfig 가 가리키는 인증서·키 파일이 있는지 kubectl config view 로 확인하세요.',
    );
  }
  const config = JSON.parse(r.stdout) as KubeconfigFile;
  for (const { name, user } of config.users ?? []) {
    const origin = userOrigin.get(name);
    if (!origin) continue;
    const base = path.dirname(origin);
    const exec = user.exec as { command?: unknown } | undefined;
    if (exec && typeof exec.command === 'string' && exec.command.includes('/') && !path.isAbsolute(exec.command))
      exec.command = path.resolve(base, exec.command);
    if (typeof user.tokenFile === 'string' && user.tokenFile !== '' && !path.isAbsolute(user.tokenFile))
      user.tokenFile = path.resolve(base, user.tokenFile);
  }
  return config;
}

/** Where the private kubeconfig of a context lives: one folder per context name, rewritten by each run. */
function contextKubeconfigPath(context: string, env: Io['env']): string {
  const safe = context
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 60);
  const hash = crypto.createHash('sha256').update(context).digest('hex').slice(0, 8);
  return path.join(cacheDir(env), 'contexts', `${safe}-${hash}`, 'kubeconfig');
}

/** The error for a missing kubectl, here (for --context) and before a sandbox run. */
export function kubectlMissing(): UsageError {
  return new UsageError(
    'KUBECTL_MISSING',
    'kubectl 을 PATH 에서 찾을 수 없습니다. 페이지의 명령은 kubectl 로 실행됩니다.',
    'kubectl 을 설치하거나 (https://kubernetes.io/docs/tasks/tools/) npm run cluster -- up 으로 같은 버전의 kubectl 이 든 샌드박스를 만드세요.',
  );
}

/** The project's sandbox, or with `--context NAME` that context alone in a private copy (the user's is never changed). */
export function resolveTarget(options: { context: string | undefined; sandbox: string | undefined }, io: Io): Target {
  if (!options.context) {
    const name = options.sandbox ?? DEFAULT_SANDBOX;
    const sandbox = openSandbox(name, io.env);
    if (!sandbox) {
      throw new UsageError(
        'NO_SANDBOX',
        `샌드박스 클러스터 "${name}" 가 없습니다. 런북은 기본적으로 이 프로젝트가 만든 샌드박스에서만 실행됩니다.`,
        '먼저 npm run cluster -- up 으로 샌드박스를 만드세요. 직접 고른 클러스터에서 실행하려면 --context 이름 을 주세요.',
      );
    }
    const { context, server, kubeconfig, binDir } = sandbox;
    return { provider: sandbox.name, context, server, kubeconfig, binDir, sandbox, save: () => undefined };
  }
  const files = userKubeconfigs(io.env).map((f) => path.resolve(io.cwd, f));
  const config = loadKubeconfig(files);
  const context = config.contexts?.find((c) => c.name === options.context);
  if (!context) {
    const names = (config.contexts ?? []).map((c) => c.name);
    throw new UsageError(
      'UNKNOWN_CONTEXT',
      `kubeconfig (${files.join(', ')}) 에 컨텍스트 "${options.context}" 가 없습니다.`,
      names.length ? `있는 컨텍스트: ${names.join(', ')}` : 'kubectl config get-contexts 로 이름을 확인하세요.',
    );
  }
  const { cluster: clusterName, user: userName } = context.context;
  const missing = (what: string) => `컨텍스트 "${options.context}" 의 ${what} 가 kubeconfig 에 없습니다.`;
  if (!config.clusters?.some((c) => c.name === clusterName))
    throw invalid(missing(`클러스터 "${clusterName}"`), 'kubectl config view 로 확인하세요.');
  if (userName && !config.users?.some((u) => u.name === userName))
    throw invalid(missing(`사용자 "${userName}"`), 'kubectl config view 로 확인하세요.');
  const named = openSandbox(options.sandbox ?? DEFAULT_SANDBOX, io.env);
  const sandbox = named?.context === options.context ? named : undefined;
  // The kubectl the run will use: the sandbox's build first on PATH, else the user's.
  const binDir = sandbox?.binDir;
  const PATH = [binDir, io.env.PATH].filter(Boolean).join(path.delimiter);
  const kubectl = which('kubectl', { PATH });
  if (!kubectl) throw kubectlMissing();
  const minimal = minifiedKubeconfig(kubectl, files, context.name, config.userOrigin, { ...io.env, PATH });
  const file = contextKubeconfigPath(context.name, io.env);
  return {
    provider: sandbox?.name ?? 'context',
    context: context.name,
    server: minimal.clusters?.[0]?.cluster.server ?? '',
    kubeconfig: file,
    binDir,
    sandbox,
    save: () => {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      writeAtomic(file, YAML.stringify(minimal), 0o600);
    },
  };
}
