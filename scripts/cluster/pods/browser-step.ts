import {
  openAddress,
  type AddressClient,
  type BrowserKube,
  type BrowserStep,
  type BrowserStepResult,
} from '../browser-step.ts';
import { NET } from './layout.ts';
import { clientChromium, httpFromClient, screenshotFromClient, warmChromium } from './probe.ts';
import type { ClientHostParts } from '../provider.ts';

/**
 * A browser step on the pods provider: the shared check (../browser-step.ts) with the request and
 * Chromium run from the client network namespace (192.168.35.50), "another host on the same network".
 * What the runner calls for a manual browser step when the sandbox's provider is `pods`.
 */
export const podsClient: AddressClient = {
  from: `같은 네트워크의 다른 호스트(${NET.clientIp})에서`,
  codes: { backendNotReady: 'PODS_BACKEND_NOT_READY', wrongAnswer: 'PODS_WRONG_ANSWER' },
  http: (url, opts) => httpFromClient(url, opts),
  screenshot: (url, png) => screenshotFromClient(url, png),
};

export function verifyBrowserStep(
  kube: BrowserKube,
  step: BrowserStep,
  screenshotPath: string,
  opts: { timeoutMs?: number; signal?: AbortSignal; show?: (command: string) => string } = {},
): Promise<BrowserStepResult> {
  return openAddress(kube, step, screenshotPath, podsClient, opts);
}

/** The pods Provider's client host: the client namespace, its Chromium started ahead of the first browser step. */
export const podsClientHost: ClientHostParts = {
  open: verifyBrowserStep,
  warm: () => warmChromium(clientChromium(NET.clientNetns)),
};
