import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive, stopRunning } from '../scripts/lib/process.ts';
import { startBackground } from '../scripts/runbook/background.ts';
import { urlsIn } from '../scripts/runbook/mirror.ts';

/**
 * Background steps (`kubectl port-forward`, `logs -f`): ready when the port answers or at the first
 * line, kept running, and stopped with everything they started: no process is left behind.
 */
const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'runbook-background-'));
afterAll(() => fs.rmSync(cwd, { recursive: true, force: true }));
const options = { cwd, env: { PATH: process.env.PATH }, signal: new AbortController().signal, withinMs: 10_000 };

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('startBackground', () => {
  it('refuses a port another program already answers on, without starting the command', async () => {
    const port = await freePort();
    // Its side of the probe's connection may be reset (the probe closes without reading): not an error here.
    const other = net.createServer((socket) => socket.on('error', () => undefined).end('other'));
    await new Promise<void>((resolve) => other.listen(port, '127.0.0.1', resolve));
    try {
      const started = await startBackground(`touch started; sleep 300`, { ...options, port });
      expect(started.ready).toBe(false);
      expect(started.why).toContain(`127.0.0.1:${port} 에서 이미 다른 프로그램이 응답합니다`);
      expect(fs.existsSync(path.join(cwd, 'started'))).toBe(false);
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('is ready when its port answers, keeps serving for later steps, and stop() ends its whole process group', async () => {
    const port = await freePort();
    // bash starts a child (the server) and a grandchild (sleep), as a pipeline or a wrapper script would.
    // The server ignores a reset socket, as a real one does: readiness probes connect and close at once,
    // and on a busy machine its reply meets the reset (without a handler the server crashed, 15 of 30).
    const server = `require('net').createServer((s) => s.on('error', () => {}).end('hi')).listen(${port}, '127.0.0.1')`;
    const script = `sleep 300 & echo $! > sleep.pid; node -e "${server}; console.log(process.pid)"`;
    const started = await startBackground(script, { ...options, port });
    expect(started.ready, started.stderr).toBe(true);
    expect(started.exitCode).toBeNull();
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => undefined);
      socket.on('data', (d) => resolve(d.toString()));
      socket.on('error', reject);
    });
    expect(reply).toBe('hi');
    const sleeper = Number(fs.readFileSync(path.join(cwd, 'sleep.pid'), 'utf8'));
    expect(isAlive(sleeper)).toBe(true);
    await started.stop();
    expect(isAlive(sleeper)).toBe(false);
    await expect(
      new Promise((resolve, reject) =>
        net.connect({ host: '127.0.0.1', port }, () => resolve('open')).on('error', reject),
      ),
    ).rejects.toThrow(/ECONNREFUSED/);
  });

  it('without a port, is ready at its first output line', async () => {
    const started = await startBackground('echo Forwarding from 127.0.0.1:5000; sleep 300', options);
    expect(started.ready).toBe(true);
    expect(started.stdout).toBe('Forwarding from 127.0.0.1:5000\n');
    await started.stop();
  });

  it('a command that ends before it is ready is not ready, with its exit code and output, and leaves nothing running', async () => {
    const port = await freePort();
    const started = await startBackground(
      'echo "error: unable to forward" >&2; sleep 300 & echo $! > early.pid; exit 1',
      { ...options, port },
    );
    expect(started.ready).toBe(false);
    expect(started.exitCode).toBe(1);
    expect(started.stderr).toContain('error: unable to forward');
    expect(isAlive(Number(fs.readFileSync(path.join(cwd, 'early.pid'), 'utf8')))).toBe(false);
  });

  it('a runner that ends before stopping it leaves nothing either: the exit handler stops its group', async () => {
    const started = await startBackground('sleep 300 & echo $! > exit.pid; echo ready; wait', options);
    expect(started.ready).toBe(true);
    const sleeper = Number(fs.readFileSync(path.join(cwd, 'exit.pid'), 'utf8'));
    expect(isAlive(sleeper)).toBe(true);
    stopRunning(); // what main.ts runs on exit
    expect(isAlive(sleeper)).toBe(false);
    await started.stop(); // the run's own stop afterwards is harmless
  });

  it('a command that never gets ready is stopped at its limit', async () => {
    const port = await freePort();
    const t0 = performance.now();
    const started = await startBackground('sleep 300', { ...options, port, withinMs: 500 });
    expect(started.ready).toBe(false);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(started.exitCode).not.toBeNull();
  });
});

describe('the address a background step serves', () => {
  it('is no remote file to pin: only the remote URLs of a command are read through the mirror', () => {
    expect(
      urlsIn(
        'curl -s http://localhost:5000/ && curl http://127.0.0.1:9000/minio && curl -sL https://example.com/a.yaml',
      ),
    ).toEqual(['https://example.com/a.yaml']);
  });
});
