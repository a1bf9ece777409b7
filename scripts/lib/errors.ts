/** An error a person can act on: a message naming what was wrong, a code to look up, and a hint with the fix. */
class HintedError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: number;
  constructor(code: string, message: string, hint?: string, exitCode = 1) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.hint = hint;
    this.exitCode = exitCode;
  }
}

/** Caused by what the user gave us (flags, files, pages, kubeconfig): exit code 2, a message naming the offending value. */
export class UsageError extends HintedError {
  constructor(code: string, message: string, hint?: string) {
    super(code, message, hint, 2);
  }
}

/** A failure of the environment (missing tool, cluster down) rather than of the user's input. */
export class EnvironmentError extends HintedError {}

/** Formats any thrown value for a person: `✗ message` then `  힌트: hint`. */
export function formatError(error: unknown): { text: string; exitCode: number } {
  if (error instanceof HintedError) {
    const hint = error.hint ? `\n  힌트: ${error.hint}` : '';
    const docs = `\n  문서: 사이트의 "문제 해결" (src/content/docs/troubleshooting.md) 에서 [${error.code}] 를 찾아보세요.`;
    return { text: `✗ ${error.message} [${error.code}]${hint}${docs}\n`, exitCode: error.exitCode };
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { text: `✗ 예기치 못한 오류: ${message}\n`, exitCode: 1 };
}
