import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { isAlive, killGroup, type Env } from '../lib/process.ts';
import type { ProcessRecord } from './procs.ts';
import { sandboxDir } from './state.ts';

/** Where everything of one sandbox lives; `down` removes the whole folder. */
export function sandboxPaths(name: string, env: Env) {
  const dir = sandboxDir(name, env);
  return {
    dir,
    state: path.join(dir, 'state.json'),
    /** The project-local kubeconfig (never ~/.kube/config). */
    kubeconfig: path.join(dir, 'kubeconfig'),
    logs: path.join(dir, 'logs'),
    /** Containers the small kubelet runs log here, in the kubelet's /var/log/pods layout (see `containerLogFiles`). */
    podLogs: path.join(dir, 'logs', 'pods'),
    /** KWOK_WORKDIR: kwokctl's clusters, pids, pki and logs. */
    kwokWorkdir: path.join(dir, 'kwok'),
    kwokConfig: path.join(dir, 'kwokctl.yaml'),
    kubelet: path.join(dir, 'kubelet'),
    /** Written first by `up`, so a half-made sandbox (no state.json yet) is torn down by the right provider. */
    provider: path.join(dir, 'provider'),
    /** KUBECACHEDIR: kubectl's discovery cache for this sandbox only (the default ~/.kube/cache is keyed by host:port, which sandboxes of other versions reuse). */
    kubeCache: path.join(dir, 'kube-cache'),
  };
}
export type SandboxPaths = ReturnType<typeof sandboxPaths>;

/** Whether something accepts connections on 127.0.0.1:port. */
export function isPortOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** `n` free loopback ports chosen by the kernel, all held open at once so they differ. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => {
      const server = net.createServer();
      return new Promise<net.Server>((resolve, reject) =>
        server.once('error', reject).listen(0, '127.0.0.1', () => resolve(server)),
      );
    }),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** Polls a condition (a port, a pid) until true or the deadline; returns the last answer. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 200,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** SIGTERM each process group, then SIGKILL whatever is still alive after the grace period. */
export async function stopProcesses(pids: number[], graceMs = 5000): Promise<number[]> {
  const alive = pids.filter(isAlive);
  for (const pid of alive) killGroup(pid, 'SIGTERM');
  await waitFor(() => alive.every((p) => !isAlive(p)), graceMs);
  const stubborn = alive.filter(isAlive);
  for (const pid of stubborn) killGroup(pid, 'SIGKILL');
  await waitFor(() => stubborn.every((p) => !isAlive(p)), 2000);
  return alive.filter(isAlive);
}

/** kwokctl's pid files (`<workdir>/clusters/<name>/pids/*.pid`), dated: the process started before (a reused pid after). */
export function kwokPids(workdir: string, cluster: string): ProcessRecord[] {
  const dir = path.join(workdir, 'clusters', cluster, 'pids');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).flatMap((f) => {
    if (!f.endsWith('.pid')) return [];
    try {
      const file = path.join(dir, f);
      const pid = Number(fs.readFileSync(file, 'utf8').trim());
      const writtenAt = fs.statSync(file).mtimeMs;
      return Number.isInteger(pid) && pid > 0 ? [{ name: f.slice(0, -'.pid'.length), pid, writtenAt }] : [];
    } catch {
      return []; // removed meanwhile (kwokctl stopping a component)
    }
  });
}
