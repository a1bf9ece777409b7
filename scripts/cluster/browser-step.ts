import type * as k8s from '@kubernetes/client-node';
import { EnvironmentError } from '../lib/errors.ts';
import { dashboardTitle, ensureBackend, waitBackendReady, type BackendResult } from './pods/backend.ts';

/**
 * A "웹 브라우저로 접속" step checked for real: the Service gets its stand-in backend, its documented
 * address must answer with the stand-in's page, and headless Chromium saves a screenshot. Only the
 * client differs: the client network namespace (pods/probe.ts), the runner host on kind's network (kind/client.ts).
 */

export interface BrowserStep {
  /** The address the page documents, e.g. `http://192.168.35.100`. */
  url: string;
  /** The Service behind it (the runner's stand-in fixture). */
  namespace: string;
  name: string;
}

export interface BrowserStepResult {
  url: string;
  backend: BackendResult;
  status: number;
  /** The page title Chromium saw. */
  title: string;
  screenshot: string;
  /** What this proves and what it does not, in Korean, for the step's mark. */
  proven: string;
  simulated: string;
  seconds: number;
  /** Where the seconds went: the stand-in backend ready, the first HTTP answer, Chromium's screenshot. */
  phases: { backend: number; http: number; chromium: number };
}

/** The API clients a browser step needs (the runner's, so no second client package load). */
export type BrowserKube = { core: k8s.CoreV1Api; apps: k8s.AppsV1Api };

export interface HttpAnswer {
  url: string;
  status: number;
  body: string;
}

export type Show = (command: string) => string;

/** How a provider's client host requests an address and opens it in Chromium: the only part that differs between providers. */
export interface AddressClient {
  /** Where the request came from, as the proven sentence begins: `같은 네트워크의 다른 호스트(192.168.35.50)에서`. */
  from: string;
  /** The provider's error codes for the two failures decided here. */
  codes: { backendNotReady: string; wrongAnswer: string };
  /** Status and body of `url`, retried until `timeoutMs` while nothing answers yet. */
  http(url: string, opts: { timeoutMs: number; show: Show; signal?: AbortSignal }): Promise<HttpAnswer>;
  /** Opens `url` in headless Chromium, saves a PNG at `png` and returns the page title. */
  screenshot(url: string, png: string): Promise<{ title: string; status: number | undefined }>;
}

export async function openAddress(
  kube: BrowserKube,
  step: BrowserStep,
  screenshotPath: string,
  client: AddressClient,
  opts: { timeoutMs?: number; signal?: AbortSignal; show?: Show } = {},
): Promise<BrowserStepResult> {
  const t0 = performance.now();
  // How a kubectl command in a hint is shown: the runner adds its target, so pasting it reads the same cluster.
  const show = opts.show ?? ((command: string) => command);
  const timeoutMs = opts.timeoutMs ?? 90_000;
  const service = await kube.core.readNamespacedService({ name: step.name, namespace: step.namespace });
  const backend = await ensureBackend(kube, service);
  if (!(await waitBackendReady(kube, backend, timeoutMs))) {
    throw new EnvironmentError(
      client.codes.backendNotReady,
      `대역 백엔드 ${backend.namespace}/${backend.name} 가 ${Math.round(timeoutMs / 1000)}초 안에 준비되지 않았습니다.`,
      show(`kubectl -n ${backend.namespace} describe deployment ${backend.name}`),
    );
  }
  const t1 = performance.now();
  // The text the stand-in web server's page carries for a Service (go/pod-tools/standin-web).
  const expected = `${dashboardTitle(service)} 대역 (stand-in)`;
  const answer = await client.http(step.url, { timeoutMs, show, signal: opts.signal });
  const svc = `${step.namespace}/${step.name}`;
  if (answer.status !== 200 || !answer.body.includes(expected) || !answer.body.includes(svc)) {
    throw new EnvironmentError(
      client.codes.wrongAnswer,
      `${step.url} 가 ${svc} 의 대역 페이지로 답하지 않았습니다: HTTP ${answer.status}, 본문 앞부분 ${JSON.stringify(answer.body.slice(0, 200))}`,
      `${show(`kubectl get svc -n ${step.namespace} ${step.name} -o wide`)} 로 EXTERNAL-IP 와 selector 를 확인하세요.`,
    );
  }
  const t2 = performance.now();
  const shot = await client.screenshot(step.url, screenshotPath);
  const t3 = performance.now();
  const secs = (from: number, to: number) => Math.round((to - from) / 100) / 10;
  return {
    url: step.url,
    backend,
    status: answer.status,
    title: shot.title,
    screenshot: screenshotPath,
    proven: `${client.from} ${step.url} 가 응답하고, 그 응답이 ${svc} 서비스의 파드에서 왔습니다 (로드밸런서의 ARP 응답과 kube-proxy 를 거쳐).`,
    simulated: `화면은 실제 ${dashboardTitle(service)}가 아니라 대역 웹 서버입니다.`,
    seconds: secs(t0, t3),
    phases: { backend: secs(t0, t1), http: secs(t1, t2), chromium: secs(t2, t3) },
  };
}
