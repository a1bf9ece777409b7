import { UsageError } from './errors.ts';

/**
 * The streams and environment a CLI entry point works with.
 * Entry points take `(argv, io)` and return an exit code; only the bin wrappers touch `process`.
 */
export interface Io {
  /** Results (plans, reports, paths). */
  out: (text: string) => void;
  /** Progress and diagnostics. */
  err: (text: string) => void;
  /** Environment the command sees (never mutated). */
  env: Readonly<Record<string, string | undefined>>;
  /** Working directory relative paths are resolved against. */
  cwd: string;
  /** True when stderr is an interactive terminal (spinners, colour, prompts allowed). */
  interactive: boolean;
  /** Reads one line from the terminal; undefined when there is no terminal. */
  ask?: (question: string) => Promise<string>;
  /** Aborted on SIGINT/SIGTERM; commands must stop their children when it fires. */
  signal: AbortSignal;
}

/** Whether the user typed exactly "yes" (at once with --yes); off a terminal, a usage error (`cannotAsk`, `fix`). */
export async function askYes(io: Io, yes: boolean, question: string, cannotAsk: string, fix: string): Promise<boolean> {
  if (yes) return true;
  if (!io.interactive || !io.ask) throw new UsageError('CONFIRMATION_REQUIRED', cannotAsk, fix);
  return (await io.ask(`${question} 정확히 "yes" 를 입력하세요: `)).trim() === 'yes';
}

/** Whether colour output is allowed, following NO_COLOR, TERM=dumb and CI conventions. */
export function useColor(io: Pick<Io, 'env' | 'interactive'>): boolean {
  const { env } = io;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  if (env.TERM === 'dumb' || env.CI) return false;
  return io.interactive;
}

/** An Io that collects everything, for tests. */
export function memoryIo(
  env: Record<string, string | undefined> = {},
  cwd = process.cwd(),
): Io & { stdout: () => string; stderr: () => string; controller: AbortController } {
  const out: string[] = [];
  const err: string[] = [];
  const controller = new AbortController();
  return {
    out: (t) => void out.push(t),
    err: (t) => void err.push(t),
    env: { NO_COLOR: '1', ...env },
    cwd,
    interactive: false,
    signal: controller.signal,
    controller,
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}
