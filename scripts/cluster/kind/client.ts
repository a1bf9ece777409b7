import fs from 'node:fs';
import { EnvironmentError } from '../../lib/errors.ts';
import { which, type Env } from '../../lib/process.ts';
import { openAddress, type AddressClient, type HttpAnswer, type Show } from '../browser-step.ts';
import { engineEnv, kindNetworkSubnets } from './cluster.ts';
import { requireStandinImage } from './images.ts';
import { NET } from '../pods/layout.ts';
import {
  chromiumScreenshot,
  clientChromium,
  httpFromClient,
  screenshotFromClient,
  warmChromium,
} from '../pods/probe.ts';
import type { ClientHostParts } from '../provider.ts';
import type { SandboxState } from '../state.ts';

/**
 * The kind provider's client host is the runner machine itself: the nightly creates the `kind`
 * Docker network on the page's subnet before the cluster, so the host sits on the nodes' L2 segment
 * (the bridge's gateway, 192.168.35.1), the load balancer's speaker answers its ARP for the
 * EXTERNAL-IPs, and HTTP and headless Chromium run directly on the host. Before any request the
 * network must really be on the page's subnet: elsewhere (kind's default 172.18.0.0/16) the page's
 * addresses would not be the cluster's, and could be some other machine on the runner's LAN.
 */

/** Whether `ip` (IPv4) lies in `cidr`. */
export function inSubnet(ip: string, cidr: string): boolean {
  const num = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const [base, bits] = cidr.split('/');
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip) || !base || bits === undefined) return false;
  const size = 2 ** (32 - Number(bits));
  return Math.floor(num(ip) / size) === Math.floor(num(base) / size);
}

/** Throws unless the kind network's IPv4 subnets include `subnet` exactly (`docker network inspect`). */
async function requirePageNetwork(env: Env, subnet: string, signal?: AbortSignal): Promise<void> {
  const net = await kindNetworkSubnets(env, signal);
  if ('subnets' in net && net.subnets.includes(subnet)) return;
  throw new EnvironmentError(
    'KIND_NETWORK_NOT_PAGE_SUBNET',
    'subnets' in net
      ? `kind 의 Docker 네트워크 ${net.network} 가 페이지의 서브넷 ${subnet} 이 아니라 ${net.subnets.join(', ') || '(없음)'} 입니다: 페이지의 주소로 접속해도 이 클러스터에 닿지 않으므로 접속하지 않았습니다.`
      : `kind 의 Docker 네트워크 ${net.network} 를 읽지 못했습니다: ${net.error}`,
    `클러스터를 만들기 전에 네트워크를 만드세요 (nightly 와 같이): docker network create --subnet ${subnet} --gateway ${subnet.replace(/\.0\/24$/, '.1')} --ip-range ${subnet.replace(/\/24$/, '/26')} ${net.network}`,
  );
}

/** `http://<address in subnet>` only: the runner host asks the page's addresses and nothing else. */
function checkKindUrl(url: string, subnet: string): URL {
  const u = new URL(url);
  if (u.protocol !== 'http:' || !inSubnet(u.hostname, subnet)) {
    throw new EnvironmentError(
      'KIND_PROBE_BAD_URL',
      `페이지 서브넷(${subnet}) 밖의 주소입니다: ${url}`,
      `러너 호스트에서는 kind 네트워크의 ${subnet} 주소(http)만 확인합니다.`,
      2,
    );
  }
  return u;
}

/** `GET url` from this host (Node's fetch): status and body, retried until `timeoutMs` while nothing answers yet (ARP and the speaker take a moment). */
export async function httpFromHost(
  url: string,
  subnet: string,
  opts: { timeoutMs: number; show: Show; signal?: AbortSignal },
): Promise<HttpAnswer> {
  checkKindUrl(url, subnet);
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    let error: string;
    try {
      // Short attempts, often: the first request usually meets an address whose ARP the speaker does not answer yet.
      const signals = [AbortSignal.timeout(1000), ...(opts.signal ? [opts.signal] : [])];
      const res = await fetch(url, { signal: AbortSignal.any(signals) });
      return { url, status: res.status, body: await res.text() };
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      error = err.cause?.code ?? err.cause?.message ?? err.message;
    }
    if (Date.now() >= deadline || opts.signal?.aborted) {
      throw new EnvironmentError(
        'KIND_PROBE_NO_ANSWER',
        `${url} 가 러너 호스트(kind 네트워크 ${subnet})에서 응답하지 않습니다: ${error}`,
        `${opts.show('kubectl get svc -A')} 로 EXTERNAL-IP 를 확인하고, 그 주소를 ARP 로 알리는 로드밸런서(L2 speaker)의 로그를 보세요 (실패한 단계 아래에 런북이 밝힌 컴포넌트 로그가 있습니다).`,
      );
    }
    await new Promise((res) => setTimeout(res, 200));
  }
}

/** The Chromium the host runs: CHROMIUM_PATH when set, else `chromium` on PATH (as `npm test`'s prerequisites). */
function hostChromium(env: Env): string {
  const found = env.CHROMIUM_PATH ? which(env.CHROMIUM_PATH, env) : which('chromium', env);
  if (!found || !fs.existsSync(found))
    throw new EnvironmentError(
      'KIND_NO_CHROMIUM',
      `Chromium(${env.CHROMIUM_PATH ?? 'PATH 의 chromium'})이 없습니다.`,
      'npm run prereqs (Chromium 과 한국어 글꼴을 설치합니다), 또는 CHROMIUM_PATH 를 지정하세요.',
    );
  return found;
}

/** The runner host as the kind provider's address client: plain HTTP and Chromium here, on the kind network. */
export function hostClient(env: Env, subnet: string = NET.subnet): AddressClient {
  return {
    from: `kind Docker 네트워크(${subnet})에 붙은 러너 호스트 자신(다른 호스트가 아님)에서`,
    codes: { backendNotReady: 'KIND_BACKEND_NOT_READY', wrongAnswer: 'KIND_WRONG_ANSWER' },
    http: (url, opts) => httpFromHost(url, subnet, opts),
    screenshot: (url, png) => {
      checkKindUrl(url, subnet);
      return chromiumScreenshot(hostChromium(env), url, png);
    },
  };
}

/**
 * The bridge side of the kind network on the project's own Docker daemon (kind/engine.ts): that
 * daemon's network namespace, where the runner host would sit on a GitHub runner. Requests and
 * Chromium run there (nsenter), the same way as the pods provider's client host.
 */
function engineNetnsClient(env: Env, netns: string, subnet: string = NET.subnet): AddressClient {
  return {
    from: `kind Docker 네트워크(${subnet})의 게이트웨이 쪽, 이 프로젝트의 Docker 데몬이 있는 네트워크 네임스페이스(${netns}, 다른 호스트가 아님)에서`,
    codes: { backendNotReady: 'KIND_BACKEND_NOT_READY', wrongAnswer: 'KIND_WRONG_ANSWER' },
    http: (url, opts) => httpFromClient(url, { ...opts, env, netns }),
    screenshot: (url, png) => screenshotFromClient(url, png, { chromium: hostChromium(env), netns }),
  };
}

/** The kind Provider's clientHost: the stand-in image must be in the nodes and the network on the page's subnet before anything is asked. */
export function kindClientHost(state: SandboxState, env: Env, subnet: string = NET.subnet): ClientHostParts {
  return {
    warm: () => {
      try {
        warmChromium(state.docker ? clientChromium(state.docker.netns, hostChromium(env)) : hostChromium(env));
      } catch {
        // no Chromium: the browser step says so
      }
    },
    open: async (kube, check, screenshot, opts) => {
      requireStandinImage(state, env);
      checkKindUrl(check.url, subnet);
      await requirePageNetwork(engineEnv(state, env), subnet, opts.signal);
      const client = state.docker ? engineNetnsClient(env, state.docker.netns, subnet) : hostClient(env, subnet);
      return openAddress(kube, check, screenshot, client, opts);
    },
  };
}
