import readline from 'node:readline/promises';
import type { Io } from './io.ts';
import { formatError } from './errors.ts';
import { stopRunning } from './process.ts';

type Entry = (argv: string[], io: Io) => Promise<number>;

/**
 * The only place that touches `process`: builds an Io from the real streams,
 * turns SIGINT/SIGTERM into an abort, and sets `process.exitCode`.
 * A second signal while shutting down exits at once.
 */
export async function runMain(entry: Entry): Promise<void> {
  // However the process ends (a second signal, process.exit, a crash), the commands run() started in
  // their own process groups must not outlive it. Installed for good: `exit` can come after runMain.
  process.once('exit', () => stopRunning());
  const controller = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (signalled) process.exit(sig === 'SIGINT' ? 130 : 143);
    signalled = sig;
    controller.abort(Object.assign(new Error(`received ${sig}`), { signal: sig }));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const interactive = Boolean(process.stderr.isTTY && process.stdin.isTTY);
  const io: Io = {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    interactive,
    signal: controller.signal,
    ...(interactive && {
      ask: async (q: string) => {
        const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
        try {
          return await rl.question(q);
        } finally {
          rl.close();
        }
      },
    }),
  };
  try {
    const code = await entry(process.argv.slice(2), io);
    process.exitCode = signalled ? (signalled === 'SIGINT' ? 130 : 143) : code;
  } catch (error) {
    const { text, exitCode } = formatError(error);
    process.stderr.write(text);
    process.exitCode = signalled ? (signalled === 'SIGINT' ? 130 : 143) : exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
