import { shellQuote } from '../lib/process.ts';

// Commands as people paste them; apart from exec.ts (which loads zx) because the dry-run plan prints them too.

/** What decides where a page command acts: the target's kubeconfig and, for a sandbox, its own kubectl first on PATH. */
export interface CommandTarget {
  kubeconfig: string;
  binDir: string | undefined;
}

/** One line with no pipe, list, redirection, group, substitution or leading keyword: a prefix assignment reaches all of it. */
const SIMPLE = /^(?!(?:if|for|while|until|case|select|time|function|coproc)\b)[^\n|&;<>(){}!`$\\]+$/;

/**
 * A page command as a person can paste it to reach the runner's cluster with its kubectl: `KUBECONFIG=… PATH=…` in
 * front of a simple command, else a subshell that exports them (the user's shell keeps its own settings).
 */
export function pasteable(script: string, target: CommandTarget): string {
  const vars = [
    `KUBECONFIG=${shellQuote(target.kubeconfig)}`,
    ...(target.binDir ? [`PATH=${shellQuote(target.binDir)}:"$PATH"`] : []),
  ].join(' ');
  const code = script.trim();
  return SIMPLE.test(code) ? `${vars} ${code}` : `(export ${vars}\n${code}\n)`;
}

/** Steps whose command is a page block run by bash (a file step's block is file content, a browser step's is a description). */
export function isShellStep(step: { kind: string }): boolean {
  return step.kind === 'run' || step.kind === 'edit';
}
