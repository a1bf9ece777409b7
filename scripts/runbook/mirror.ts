import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import type { Fetched } from '../model/report.ts';

/**
 * The remote files a page's commands read, pinned: read from the offline mirror (`<dir>/<host>/<path>`) or the URL,
 * checked against the runbook's sha256, and given to the command as a copy whose path outputs map back to the URL.
 */
export type Mirror = ReturnType<typeof createMirror>;

/** Reads a URL's bytes (`fetch`, or a test's stand-in). */
type Download = (url: string, signal?: AbortSignal) => Promise<Uint8Array>;

/** A remote file that could not be read, or whose bytes are not the pinned ones; `fetched` is what was served, if anything. */
export class InputError extends Error {
  override name = 'InputError';
  readonly fetched: Fetched[];
  readonly hint: string;
  constructor(message: string, fetched: Fetched[], hint: string) {
    super(message);
    this.fetched = fetched;
    this.hint = hint;
  }
}

const URL_IN_COMMAND = /https?:\/\/[^\s'"|;)]+/g;

/** Where the mirror keeps a URL's copy (`<dir>/<host>/<path>`). */
export function mirrorFile(dir: string, url: string): string {
  const u = new URL(url);
  return path.join(dir, u.host, decodeURIComponent(u.pathname));
}

/** A download as kubectl would make it: through the environment's proxy (Node's `proxyEnv`), following redirects. */
export function downloadWith(env: Readonly<Record<string, string | undefined>>): Download {
  const get = (url: string, signal: AbortSignal | undefined, redirects: number): Promise<Uint8Array> =>
    new Promise((resolve, reject) => {
      const agent = new https.Agent({ proxyEnv: env } as https.AgentOptions);
      const request = https.get(url, { agent, ...(signal ? { signal } : {}) }, (response) => {
        const { statusCode = 0, headers } = response;
        if (statusCode >= 300 && statusCode < 400 && headers.location && redirects > 0) {
          response.resume();
          resolve(get(new URL(headers.location, url).href, signal, redirects - 1));
        } else if (statusCode !== 200) {
          response.resume();
          reject(new Error(`HTTP ${statusCode}`));
        } else resolve(buffer(response));
      });
      request.on('error', reject);
    });
  return (url, signal) => get(url, signal, 5);
}

const sha256 = (bytes: Uint8Array) => crypto.createHash('sha256').update(bytes).digest('hex');

/** One remote file, from the mirror (else the URL): its bytes only when their sha256 is the pin, else an InputError. */
export async function fetchPinned(
  url: string,
  pin: string | undefined,
  options: { mirror?: string | undefined; download?: Download; signal?: AbortSignal } = {},
): Promise<{ bytes: Uint8Array; fetched: Fetched }> {
  const copy = options.mirror ? mirrorFile(options.mirror, url) : undefined;
  const source: Fetched['source'] = copy && fs.existsSync(copy) ? 'mirror' : 'url';
  let bytes: Uint8Array;
  try {
    bytes =
      source === 'mirror' ? fs.readFileSync(copy!) : await (options.download ?? downloadWith({}))(url, options.signal);
  } catch (error) {
    throw new InputError(
      `${url} 를 내려받지 못했습니다: ${(error as Error).message}`,
      [],
      `${options.mirror ? `미러 ${options.mirror} 에 이 파일이 없습니다` : '미러가 설정되지 않았습니다 (RUNBOOK_MIRROR 없음)'}. 인터넷에 닿지 않는 곳에서는 RUNBOOK_MIRROR=폴더 또는 --mirror 폴더 로 <host>/<path> 구조의 사본을 지정하세요.`,
    );
  }
  const served = sha256(bytes);
  const fetched: Fetched = { url, ...(pin ? { pin } : {}), sha256: served, source };
  const from = source === 'mirror' ? `미러의 사본 ${copy}` : 'URL 에서 내려받은 파일';
  if (!pin) {
    throw new InputError(
      `${url} 의 sha256 고정값(pin)이 런북에 없습니다. ${from}의 sha256 은 ${served} 입니다.`,
      [fetched],
      '파일 내용을 검토한 뒤 런북의 pins 에 { URL: sha256 } 으로 적으세요.',
    );
  }
  if (served !== pin) {
    throw new InputError(
      `${url} 의 sha256 이 고정값과 다릅니다: 고정값(pin) ${pin}, ${from}의 sha256 ${served}.`,
      [fetched],
      source === 'mirror'
        ? '미러의 사본이 URL 이 주던 파일과 다릅니다. 사본을 URL 에서 다시 받거나, 바뀐 파일을 검토한 뒤 런북의 pins 를 고치세요.'
        : 'URL 이 주는 파일이 바뀌었습니다. 바뀐 내용을 검토한 뒤 런북의 pins 를 고치고 다시 검증하세요.',
    );
  }
  return { bytes, fetched };
}

export function createMirror(dir: string | undefined, options: { download?: Download } = {}) {
  const copies = new Map<string, string>();
  return {
    dir,
    /**
     * The command with every URL replaced by a checked copy under `<workDir>/inputs/`, and what was read. Throws an
     * InputError (naming the URL, the pin and what was served) instead of handing the command a file whose sha256 is not the pin.
     */
    async prepare(command: string, pins: Readonly<Record<string, string>>, workDir: string, signal?: AbortSignal) {
      const fetched: Fetched[] = [];
      for (const url of new Set(urlsIn(command))) {
        try {
          const got = await fetchPinned(url, pins[url], { mirror: dir, ...options, ...(signal ? { signal } : {}) });
          fetched.push(got.fetched);
          const file = mirrorFile(path.join(workDir, 'inputs'), url);
          fs.mkdirSync(path.dirname(file), { recursive: true });
          fs.writeFileSync(file, got.bytes);
          copies.set(file, url);
        } catch (error) {
          if (error instanceof InputError) error.fetched.unshift(...fetched); // what was read before it, too
          throw error;
        }
      }
      const files = new Map([...copies].map(([file, url]) => [url, file]));
      return { command: command.replace(URL_IN_COMMAND, (url) => files.get(url) ?? url), fetched };
    },
    /** Puts URLs back where kubectl printed the copies' paths. */
    restore: (text: string) => [...copies].reduce((out, [file, url]) => out.replaceAll(file, url), text),
  };
}

/** URLs a command would fetch. */
export function urlsIn(command: string): string[] {
  // A local address is no remote file: a background step of the run (a port-forward) serves it.
  return (command.match(URL_IN_COMMAND) ?? []).filter(
    (url) => !/^https?:\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?(\/|$)/.test(url),
  );
}
