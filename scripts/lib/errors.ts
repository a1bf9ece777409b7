/**
 * An error caused by what the user gave us (flags, files, pages, kubeconfig).
 * Exit code 2, a message naming the offending value, and a hint with the fix.
 */
export class UsageError extends Error {
  readonly exitCode = 2;
  readonly hint: string | undefined;
  readonly code: string;
  constructor(code: string, message: string, hint?: string) {
    super(message);
    this.name = 'UsageError';
    this.code = code;
    this.hint = hint;
  }
}

/** A failure of the environment (missing tool, cluster down) rather than of the user's input. */
export class EnvironmentError extends Error {
  readonly exitCode: number;
  readonly hint: string | undefined;
  readonly code: string;
  constructor(code: string, message: string, hint?: string, exitCode = 1) {
    super(message);
    this.name = 'EnvironmentError';
    this.code = code;
    this.hint = hint;
    this.exitCode = exitCode;
  }
}

/** Formats any thrown value for a person: `✗ message` then `  힌트: hint`. */
export function formatError(error: unknown): { text: string; exitCode: number } {
  if (error instanceof UsageError || error instanceof EnvironmentError) {
    const hint = error.hint ? `\n  힌트: ${error.hint}` : '';
    const docs = `\n  문서: 사이트의 "문제 해결" (src/content/docs/troubleshooting.md) 에서 [${error.code}] 를 찾아보세요.`;
    return { text: `✗ ${error.message} [${error.code}]${hint}${docs}\n`, exitCode: error.exitCode };
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { text: `✗ 예기치 못한 오류: ${message}\n`, exitCode: 1 };
}
