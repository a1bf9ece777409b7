import { openAddress, type AddressClient } from '../browser-step.ts';
import { NET } from './layout.ts';
import { clientChromium, httpFromClient, screenshotFromClient, warmChromium } from './probe.ts';
import type { ClientHostParts } from '../provider.ts';

/**
 * A browser step on the pods provider: the shared check (../browser-step.ts) with the request and
 * Chromium run from the client network namespace (192.168.35.50), "another host on the same network".
 */
export const podsClient: AddressClient = {
  from: `같은 네트워크의 다른 호스트(${NET.clientIp})에서`,
  codes: { backendNotReady: 'PODS_BACKEND_NOT_READY', wrongAnswer: 'PODS_WRONG_ANSWER' },
  http: (url, opts) => httpFromClient(url, opts),
  screenshot: (url, png) => screenshotFromClient(url, png),
};

/** The pods Provider's client host: the client namespace, its Chromium started ahead of the first browser step. */
export const podsClientHost: ClientHostParts = {
  open: (kube, step, png, opts) => openAddress(kube, step, png, podsClient, opts),
  warm: () => warmChromium(clientChromium(NET.clientNetns)),
};
