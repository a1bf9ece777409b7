import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EnvironmentError } from '../../lib/errors.ts';
import { binDirOf } from '../build.ts';
import { run, type Env } from '../../lib/process.ts';
import type { HttpAnswer, Show } from '../browser-step.ts';
import { orElse } from '../procs.ts';
import { podToolsTarget } from '../targets.ts';
import { NET } from './layout.ts';
import { inNetns, netnsFile } from './namespaces.ts';

// The browser steps, checked for real from "another host on the same network": the client network namespace
// (192.168.35.50), with a route to 192.168.35.0/24 and nowhere else. Nothing here runs in the host's namespace,
// so the page's addresses are never contacted from the host.

/** Only the page's subnet: the client namespace can reach nothing else, and we do not ask it to. */
export function checkDocumentedUrl(url: string): URL {
  const u = new URL(url);
  if (u.protocol !== 'http:' || !/^192\.168\.35\.\d{1,3}$/.test(u.hostname)) {
    throw new EnvironmentError(
      'PODS_PROBE_BAD_URL',
      `대역 밖의 주소입니다: ${url}`,
      `클라이언트 네임스페이스에서는 페이지의 ${NET.subnet} 주소(http://192.168.35.x)만 확인합니다.`,
      2,
    );
  }
  return u;
}

/** The documented address, and the client namespace to ask from (the pods provider's by default): its name. */
function requireClient(url: string, netns: string = NET.clientNetns): string {
  checkDocumentedUrl(url);
  if (!fs.existsSync(netnsFile(netns))) {
    throw new EnvironmentError(
      'PODS_NO_CLIENT',
      `클라이언트 네트워크 네임스페이스 ${netnsFile(netns)} 가 없습니다.`,
      '먼저 샌드박스를 만드세요: npm run cluster -- up',
    );
  }
  return netns;
}

/** Each HTTP attempt's limit, in turn (the last one repeats). */
const ATTEMPT_MS = [250, 250, 500, 1000, 2000];

/**
 * `curl URL` from a client namespace (our http-get tool under nsenter; the pods provider's by
 * default): status and body. Retries until `timeoutMs` while nothing answers yet (ARP and the
 * speaker take a moment).
 */
export async function httpFromClient(
  url: string,
  opts: { env?: Env; timeoutMs?: number; signal?: AbortSignal; show?: Show; netns?: string } = {},
): Promise<HttpAnswer> {
  const netns = requireClient(url, opts.netns);
  const env = opts.env ?? process.env;
  const tool = path.join(binDirOf(podToolsTarget(), env), 'http-get');
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  // Short attempts, often, then longer ones: the first request may meet an address the speaker
  // does not answer ARP for yet, or kube-proxy has no rule for yet, and its SYN would then wait for
  // TCP's 1 s retransmission. A new attempt starts over at once; an answer on the same L2 takes
  // milliseconds. (With 1 s attempts and kube-proxy's 1 s minimum sync, the first answer came 1.2 s
  // after the step began, every time; now 0–0.3 s: docs/benchmarks.md.)
  for (let attempt = 0; ; attempt++) {
    const limit = ATTEMPT_MS[Math.min(attempt, ATTEMPT_MS.length - 1)]!;
    const argv = [...inNetns(netns), tool, '--timeout', `${limit}ms`, url];
    const r = await run(argv[0]!, argv.slice(1), { env, signal: opts.signal });
    const answer = orElse(() => JSON.parse(r.stdout) as { status?: number; body?: string; error?: string }, {
      error: r.stderr.trim() || `종료 코드 ${r.code}`,
    });
    if (answer.status !== undefined) return { url, status: answer.status, body: answer.body ?? '' };
    if (Date.now() >= deadline || opts.signal?.aborted) {
      throw new EnvironmentError(
        'PODS_PROBE_NO_ANSWER',
        `${url} 가 클라이언트 네임스페이스(${netns})에서 응답하지 않습니다: ${answer.error}`,
        `${opts.show?.('kubectl get svc -A') ?? 'kubectl get svc -A'} 로 EXTERNAL-IP 를 확인하고, 그 주소를 ARP 로 알리는 로드밸런서(L2 speaker)의 로그를 보세요 (실패한 단계 아래에 런북이 밝힌 컴포넌트 로그가 있습니다).`,
      );
    }
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** Chromium's flags for a quiet, self-contained headless run (no sync, no updates, no background traffic). */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-proxy-server',
];

/**
 * Opens `url` in headless Chromium started inside a client namespace (an nsenter wrapper as the
 * executable Playwright launches) and saves a PNG screenshot to `pngPath`. Returns the page title.
 */
export async function screenshotFromClient(
  url: string,
  pngPath: string,
  opts: { chromium?: string; netns?: string } = {},
): Promise<{ title: string; status: number | undefined }> {
  const netns = requireClient(url, opts.netns);
  return chromiumScreenshot(clientChromium(netns, opts.chromium), url, pngPath);
}

/** The nsenter wrapper that starts Chromium inside `netns`: one per namespace for this process (the browser behind it is kept for the run). */
export function clientChromium(netns: string, chromium = '/usr/bin/chromium'): string {
  if (!fs.existsSync(chromium))
    throw new EnvironmentError(
      'PODS_NO_CHROMIUM',
      `Chromium(${chromium})이 없습니다.`,
      'apt-get install chromium fonts-noto-cjk',
    );
  const wrapper = path.join(os.tmpdir(), `vdocs-chromium-${process.pid}-${netns}`);
  if (!fs.existsSync(wrapper)) {
    fs.writeFileSync(wrapper, `#!/bin/sh\nexec ${inNetns(netns).join(' ')} ${chromium} "$@"\n`, { mode: 0o755 });
    process.once('exit', () => fs.rmSync(wrapper, { force: true }));
  }
  return wrapper;
}

/** Starts Chromium ahead of the first browser step (it takes about a second); a failure shows in that step. */
export function warmChromium(executablePath: string): void {
  void browserFor(executablePath).catch(() => undefined);
}

/** One headless Chromium per executable for the whole process: the four browser steps of a page share it (Playwright closes it when the process exits). */
const browsers = new Map<string, Promise<import('playwright-core').Browser>>();

function browserFor(executablePath: string): Promise<import('playwright-core').Browser> {
  let launched = browsers.get(executablePath);
  if (!launched) {
    launched = import('playwright-core').then(({ chromium: pw }) =>
      pw.launch({ executablePath, args: CHROMIUM_FLAGS, headless: true, timeout: 30_000 }),
    );
    browsers.set(executablePath, launched);
    launched.catch(() => browsers.delete(executablePath)); // a failed launch is tried again next time
  }
  return launched;
}

/**
 * Headless Chromium (`executablePath`, launched by Playwright) opens `url` once fonts are ready and
 * saves a PNG screenshot: the part the pods and kind client hosts share. Returns the page title.
 */
export async function chromiumScreenshot(
  executablePath: string,
  url: string,
  pngPath: string,
): Promise<{ title: string; status: number | undefined }> {
  const browser = await browserFor(executablePath);
  const context = await browser.newContext({ viewport: { width: 1024, height: 640 } });
  try {
    const page = await context.newPage();
    const response = await page.goto(url, { timeout: 30_000, waitUntil: 'load' });
    await page.evaluate(() => document.fonts.ready);
    fs.mkdirSync(path.dirname(pngPath), { recursive: true });
    await page.screenshot({ path: pngPath });
    return { title: await page.title(), status: response?.status() };
  } finally {
    await context.close();
  }
}
