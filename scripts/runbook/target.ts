import type { RunReport } from '../model/report.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { UsageError } from '../lib/errors.ts';
import type { Io } from '../lib/io.ts';
import { DEFAULT_SANDBOX, readSandbox, type SandboxState } from '../cluster/state.ts';

/** The cluster a run talks to, and how commands reach it. */
export interface Target {
  provider: RunReport['provider'];
  context: string;
  server: string;
  /** kubeconfig file given to every command as KUBECONFIG (current-context = `context`). */
  kubeconfig: string;
  /** Folder with a kubectl built for the sandbox's version, put first on PATH. */
  binDir: string | undefined;
  /** Set when the target is a sandbox this project created (safe to change). */
  sandbox: SandboxState | undefined;
  /** Removes the temporary kubeconfig made for --context. */
  dispose(): void;
}

interface KubeconfigFile {
  'current-context'?: string;
  contexts?: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
  clusters?: { name: string; cluster: { server: string } & Record<string, unknown> }[];
  users?: { name: string; user: Record<string, unknown> }[];
}

/** The user's kubeconfig files, as kubectl finds them (KUBECONFIG list, else ~/.kube/config). */
export function userKubeconfigs(env: Io['env']): string[] {
  const list = env.KUBECONFIG?.split(path.delimiter).filter(Boolean);
  return list && list.length > 0 ? list : [path.join(env.HOME ?? os.homedir(), '.kube', 'config')];
}

function loadKubeconfig(files: string[]): KubeconfigFile {
  const merged: Required<Pick<KubeconfigFile, 'contexts' | 'clusters' | 'users'>> & KubeconfigFile = { contexts: [], clusters: [], users: [] };
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      if (files.length > 1 && (error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new UsageError('KUBECONFIG_UNREADABLE', `kubeconfig 를 읽을 수 없습니다: ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`, 'KUBECONFIG 환경 변수나 ~/.kube/config 가 읽을 수 있는 파일을 가리키는지 확인하세요.');
    }
    let parsed: KubeconfigFile;
    try {
      parsed = (YAML.parse(text) ?? {}) as KubeconfigFile;
    } catch (error) {
      throw new UsageError('KUBECONFIG_INVALID', `kubeconfig ${file} 가 올바른 YAML 이 아닙니다: ${(error as Error).message.split('\n')[0]}`, 'kubectl config view 로 파일을 확인하세요.');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new UsageError('KUBECONFIG_INVALID', `kubeconfig ${file} 에 설정이 없습니다.`, 'kubectl config view 로 파일을 확인하세요.');
    }
    absolutise(parsed, path.dirname(path.resolve(file)));
    // kubectl's merge rule: the first file to define a name wins.
    merged['current-context'] ??= parsed['current-context'];
    for (const key of ['contexts', 'clusters', 'users'] as const) {
      for (const item of parsed[key] ?? []) {
        const list = merged[key] as { name: string }[];
        if (!list.some((x) => x.name === item.name)) list.push(item);
      }
    }
  }
  return merged;
}

const FILE_FIELDS = ['certificate-authority', 'client-certificate', 'client-key', 'tokenFile'];

/** kubectl resolves relative file paths against the kubeconfig's folder; the private copy lives elsewhere. */
function absolutise(config: KubeconfigFile, base: string): void {
  const entries = [...(config.clusters ?? []).map((c) => c.cluster), ...(config.users ?? []).map((u) => u.user)];
  for (const entry of entries) {
    for (const field of FILE_FIELDS) {
      const value = entry?.[field];
      if (typeof value === 'string' && value !== '' && !path.isAbsolute(value)) entry[field] = path.resolve(base, value);
    }
  }
}

export interface TargetOptions {
  context: string | undefined;
  sandbox: string | undefined;
}

/**
 * By default the run targets the project's sandbox. `--context NAME` targets a cluster of the
 * user's kubeconfig through a private copy holding only that context, so the user's current
 * context is never changed.
 */
export function resolveTarget(options: TargetOptions, io: Io, tmpRoot: string): Target {
  if (!options.context) {
    const name = options.sandbox ?? DEFAULT_SANDBOX;
    const sandbox = readSandbox(name, io.env);
    if (!sandbox) {
      throw new UsageError('NO_SANDBOX', `샌드박스 클러스터 "${name}" 가 없습니다. 런북은 기본적으로 이 프로젝트가 만든 샌드박스에서만 실행됩니다.`, '먼저 npm run cluster -- up 으로 샌드박스를 만드세요. 직접 고른 클러스터에서 실행하려면 --context 이름 을 주세요.');
    }
    return { provider: sandbox.provider, context: sandbox.context, server: sandbox.server, kubeconfig: sandbox.kubeconfig, binDir: sandbox.binDir, sandbox, dispose: () => undefined };
  }
  const files = userKubeconfigs(io.env);
  const config = loadKubeconfig(files);
  const context = config.contexts?.find((c) => c.name === options.context);
  if (!context) {
    const names = (config.contexts ?? []).map((c) => c.name);
    throw new UsageError('UNKNOWN_CONTEXT', `kubeconfig (${files.join(', ')}) 에 컨텍스트 "${options.context}" 가 없습니다.`, names.length ? `있는 컨텍스트: ${names.join(', ')}` : 'kubectl config get-contexts 로 이름을 확인하세요.');
  }
  const cluster = config.clusters?.find((c) => c.name === context.context.cluster);
  const user = config.users?.find((u) => u.name === context.context.user);
  if (!cluster) throw new UsageError('KUBECONFIG_INVALID', `컨텍스트 "${options.context}" 의 클러스터 "${context.context.cluster}" 가 kubeconfig 에 없습니다.`, 'kubectl config view 로 확인하세요.');
  const sandboxes = [options.sandbox ?? DEFAULT_SANDBOX].map((n) => readSandbox(n, io.env)).filter((s): s is SandboxState => s?.context === options.context);
  const dir = fs.mkdtempSync(path.join(tmpRoot, 'kubeconfig-'));
  const file = path.join(dir, 'config');
  const minimal: KubeconfigFile = { 'current-context': context.name, contexts: [context], clusters: [cluster], users: user ? [user] : [] };
  fs.writeFileSync(file, YAML.stringify({ apiVersion: 'v1', kind: 'Config', ...minimal }), { mode: 0o600 });
  return {
    provider: sandboxes[0]?.provider ?? 'context',
    context: context.name,
    server: cluster.cluster.server,
    kubeconfig: file,
    binDir: sandboxes[0]?.binDir,
    sandbox: sandboxes[0],
    dispose: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
