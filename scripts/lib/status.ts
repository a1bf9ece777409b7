import type { Io } from './io.ts';
import { useColor } from './io.ts';

/**
 * kind-style progress lines on stderr: `• 시작`, `✓ 완료 (1.2s)`, `✗ 실패`.
 * Plain text when colour is off (NO_COLOR, TERM=dumb, CI, not a terminal).
 */
export class Status {
  private readonly color: boolean;
  private readonly io: Io;
  constructor(io: Io) {
    this.io = io;
    this.color = useColor(io);
  }
  private paint(code: number, s: string): string {
    return this.color ? `\u001b[${code}m${s}\u001b[0m` : s;
  }
  start(title: string): void {
    this.io.err(`${this.paint(36, '•')} ${title}\n`);
  }
  ok(title: string, ms?: number): void {
    this.io.err(`${this.paint(32, '✓')} ${title}${this.took(ms)}\n`);
  }
  fail(title: string, ms?: number): void {
    this.io.err(`${this.paint(31, '✗')} ${title}${this.took(ms)}\n`);
  }
  private took(ms: number | undefined): string {
    return ms === undefined ? '' : ` ${this.paint(2, `(${formatDuration(ms)})`)}`;
  }
  info(text: string): void {
    this.io.err(`  ${text}\n`);
  }
  /** Time a unit of work, printing • then ✓ or ✗. */
  async step<T>(title: string, work: () => Promise<T>): Promise<T> {
    this.start(title);
    const t0 = performance.now();
    try {
      const value = await work();
      this.ok(title, performance.now() - t0);
      return value;
    } catch (error) {
      this.fail(title, performance.now() - t0);
      throw error;
    }
  }
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${m}m${String(s).padStart(2, '0')}s`;
}
