import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import metallb from '../runbooks/metallb.ts';
import { readPage } from '../scripts/model/page.ts';
import { verifiedPages } from '../scripts/model/pages.ts';
import { importRunbook } from '../scripts/model/runbooks.ts';
import { bind } from '../scripts/runbook/bind.ts';
import type { RunContext } from '../scripts/runbook/context.ts';
import { createMirror, downloadWith, fetchPinned, InputError, mirrorFile, urlsIn } from '../scripts/runbook/mirror.ts';
import { handle } from '../scripts/runbook/steps.ts';
import { testMirror } from './helpers/sandbox.ts';

/**
 * Remote files are pinned: every URL a page's commands read has a full sha256 beside its runbook,
 * and the mirror's copy and a download are both checked against it before a command sees them. A
 * copy changed by one byte fails install/apply naming the URL, the pin and what was served.
 */
const sha256 = (bytes: Uint8Array | string) => crypto.createHash('sha256').update(bytes).digest('hex');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pins-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const MANIFEST = 'https://raw.githubusercontent.com/metallb/metallb/v0.11.0/manifests/metallb.yaml';
const shared = testMirror();

describe('every remote file a page reads has a pin', () => {
  it.each(verifiedPages(process.cwd()).map((p) => [p.runbook, p] as const))('%s', async (_name, page) => {
    const runbook = await importRunbook(process.cwd(), page.runbook);
    const binding = bind(runbook, readPage(page.file));
    const urls = binding.steps.flatMap((b) => (b.step.kind === 'run' && b.block ? urlsIn(b.block.code) : []));
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(runbook.pins?.[url], url).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a pin no command reads is a binding error', () => {
    expect(() =>
      bind(
        { ...metallb, pins: { ...metallb.pins, 'https://example.com/gone.yaml': 'a'.repeat(64) } },
        readPage(metallb.page),
      ),
    ).toThrow(/pins 의 https:\/\/example\.com\/gone\.yaml 를 읽는 명령이 페이지에 없습니다/);
    expect(() => bind({ ...metallb, pins: { ...metallb.pins, [MANIFEST]: 'abc' } }, readPage(metallb.page))).toThrow(
      /sha256\(64자리 16진수\)이 아닙니다/,
    );
  });
});

describe('fetchPinned: the mirror copy and a download, each checked against the pin', () => {
  const url = 'https://example.com/app/v1/app.yaml';
  const body = 'kind: Namespace\nmetadata:\n  name: app\n';
  const pin = sha256(body);
  const mirror = path.join(tmp, 'mirror');
  fs.mkdirSync(path.dirname(mirrorFile(mirror, url)), { recursive: true });
  fs.writeFileSync(mirrorFile(mirror, url), body);
  const never = async () => {
    throw new Error('the mirror has it: no download');
  };

  it('the mirror copy with the pinned bytes: served from the mirror, recorded as such', async () => {
    const got = await fetchPinned(url, pin, { mirror, download: never });
    expect(Buffer.from(got.bytes).toString()).toBe(body);
    expect(got.fetched).toEqual({ url, pin, sha256: pin, source: 'mirror' });
  });

  it('a download with the pinned bytes: served from the URL, recorded as such', async () => {
    const got = await fetchPinned(url, pin, { download: async () => Buffer.from(body) });
    expect(got.fetched).toEqual({ url, pin, sha256: pin, source: 'url' });
  });

  it('a download with other bytes fails naming the URL, the pin and the served sha256', async () => {
    const served = `${body}# changed upstream\n`;
    const error = (await fetchPinned(url, pin, { download: async () => Buffer.from(served) }).catch(
      (e: unknown) => e,
    )) as InputError;
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain(url);
    expect(error.message).toContain(`고정값(pin) ${pin}`);
    expect(error.message).toContain(sha256(served));
    expect(error.fetched).toEqual([{ url, pin, sha256: sha256(served), source: 'url' }]);
  });

  it('a URL without a pin is never used, and the error says what to pin', async () => {
    const error = (await fetchPinned(url, undefined, { mirror, download: never }).catch(
      (e: unknown) => e,
    )) as InputError;
    expect(error.message).toContain(`${url} 의 sha256 고정값(pin)이 런북에 없습니다`);
    expect(error.message).toContain(pin);
  });

  it('a download that fails says so, with what to do offline', async () => {
    const error = (await fetchPinned(url, pin, {
      download: async () => Promise.reject(new Error('getaddrinfo ENOTFOUND example.com')),
    }).catch((e: unknown) => e)) as InputError;
    expect(error.message).toContain('ENOTFOUND');
    expect(error.hint).toContain('RUNBOOK_MIRROR');
  });

  it("a download goes through the proxy the environment names, as kubectl's would (a closed loopback port: nothing leaves the machine)", async () => {
    const error = (await fetchPinned(url, pin, {
      download: downloadWith({ HTTPS_PROXY: 'http://127.0.0.1:9', https_proxy: 'http://127.0.0.1:9' }),
    }).catch((e: unknown) => e)) as InputError;
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain(`${url} 를 내려받지 못했습니다`);
    expect(error.message).toContain('127.0.0.1:9');
  });

  it('prepare hands the command a checked copy in the run folder, and outputs name the URL again', async () => {
    const work = path.join(tmp, 'work');
    const m = createMirror(mirror, { download: never });
    const { command, fetched } = await m.prepare(`kubectl apply -f ${url}`, { [url]: pin }, work);
    const copy = mirrorFile(path.join(work, 'inputs'), url);
    expect(command).toBe(`kubectl apply -f ${copy}`);
    expect(fs.readFileSync(copy, 'utf8')).toBe(body);
    expect(fetched).toEqual([{ url, pin, sha256: pin, source: 'mirror' }]);
    expect(m.restore(`error from "${copy}"`)).toBe(`error from "${url}"`);
  });
});

describe.runIf(shared)('the MetalLB manifests, from a temporary copy of the offline mirror', () => {
  const copyOf = (changeOneByte: boolean) => {
    const dir = fs.mkdtempSync(path.join(tmp, 'mirror-'));
    for (const url of Object.keys(metallb.pins!)) {
      const file = mirrorFile(dir, url);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const bytes = fs.readFileSync(mirrorFile(shared!, url));
      if (changeOneByte && url === MANIFEST) bytes[bytes.length - 2] = bytes[bytes.length - 2]! ^ 1;
      fs.writeFileSync(file, bytes);
    }
    return dir;
  };

  it('the pins are the sha256 of the mirror copies', async () => {
    const dir = copyOf(false);
    for (const [url, pin] of Object.entries(metallb.pins!))
      expect((await fetchPinned(url, pin, { mirror: dir })).fetched.sha256).toBe(pin);
  });

  it('a copy changed by one byte fails install/apply with the URL, the pin and the served sha256, before the command runs', async () => {
    const dir = copyOf(true);
    const served = sha256(fs.readFileSync(mirrorFile(dir, MANIFEST)));
    const binding = bind(metallb, readPage(metallb.page));
    const bound = binding.steps.find((b) => b.step.id === 'install/apply')!;
    const ctx = {
      binding,
      mirror: createMirror(dir, { download: async () => Promise.reject(new Error('offline')) }),
      workDir: path.join(tmp, 'run'),
      minor: 37,
      signal: new AbortController().signal,
    } as unknown as RunContext;
    const outcome = await handle(bound, ctx);
    expect(outcome.status).toBe('failed');
    expect(outcome.problems?.[0]).toContain(MANIFEST);
    expect(outcome.problems?.[0]).toContain(metallb.pins![MANIFEST]);
    expect(outcome.problems?.[0]).toContain(served);
    expect(outcome.fetched).toEqual([
      expect.objectContaining({
        url: 'https://raw.githubusercontent.com/metallb/metallb/v0.11.0/manifests/namespace.yaml',
        source: 'mirror',
      }),
      { url: MANIFEST, pin: metallb.pins![MANIFEST], sha256: served, source: 'mirror' },
    ]);
    expect(outcome.streams).toBeUndefined();
  });
});
