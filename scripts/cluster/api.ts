import fs from 'node:fs';
import { Health, KubeConfig, VersionApi, Watch } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { EnvironmentError } from '../lib/errors.ts';
import type { Status } from '../lib/status.ts';

/** Loads the project kubeconfig (never the user's default). */
export function loadKubeConfig(file: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  return kc;
}

/** The server URL of a context in a kubeconfig file, read without contacting anything. */
export function serverOf(kubeconfigFile: string, context: string): string | undefined {
  const doc = parse(fs.readFileSync(kubeconfigFile, 'utf8')) as {
    contexts?: Array<{ name: string; context: { cluster: string } }>;
    clusters?: Array<{ name: string; cluster: { server: string } }>;
  };
  const ctx = doc.contexts?.find((c) => c.name === context);
  return doc.clusters?.find((c) => c.name === ctx?.context.cluster)?.cluster.server;
}

/** `kubectl get --raw /readyz`, bounded: true, false (answered not ready) or false on no answer. */
export async function apiReady(kc: KubeConfig, timeoutMs = 3000): Promise<boolean> {
  try {
    return await new Health(kc).readyz({ signal: AbortSignal.timeout(timeoutMs) } as never);
  } catch {
    return false;
  }
}

/** `kubectl version -o json` → serverVersion.gitVersion. */
export const serverVersion = async (kc: KubeConfig): Promise<string> =>
  (await kc.makeApiClient(VersionApi).getCode()).gitVersion;

/**
 * Waits (with a watch, not polling, like `kubectl wait --for=create`) for the default ServiceAccount, which
 * kube-controller-manager makes once it runs; throws `code` with `hint` when it is not there within `minutes`.
 */
export async function waitForDefaultSA(kc: KubeConfig, status: Status, minutes: number, code: string, hint: string) {
  await status.step(`kube-controller-manager 준비 대기 (default ServiceAccount, 최대 ${minutes}분)`, async () => {
    const made = await new Promise<boolean>((resolve) => {
      let settled = false;
      let watch: AbortController | undefined;
      const finish = (ok: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        watch?.abort();
        resolve(ok);
      };
      const timer = setTimeout(() => finish(false), minutes * 60_000);
      // A watch that ended (the server closed it, or it was not yet possible) is opened again until the deadline.
      const again = () => settled || setTimeout(start, 500);
      const seen = (phase: string) => (phase === 'ADDED' || phase === 'MODIFIED') && finish(true);
      const start = () =>
        new Watch(kc)
          .watch('/api/v1/namespaces/default/serviceaccounts', { fieldSelector: 'metadata.name=default' }, seen, again)
          .then((c) => {
            watch = c;
            if (settled) c.abort();
          }, again);
      start();
    });
    if (!made)
      throw new EnvironmentError(code, `default/default ServiceAccount가 ${minutes}분 안에 생기지 않았습니다.`, hint);
  });
}
