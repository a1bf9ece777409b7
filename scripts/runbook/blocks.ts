/**
 * What a fenced block holds, read from its text as a person reads it, whatever its fence language: a command, or the
 * output of one. The scaffold decides each block's step with it; the dry-run warns where a command looks like output.
 */

/** The first word of a shell command line (an optional `$ ` prompt and `VAR=value` prefixes aside). */
const COMMAND =
  /^(?:\$\s+)?(?:[A-Z_][A-Z0-9_]*=\S*\s+)*(?:sudo\s+)?(kubectl|helm|kustomize|istioctl|curl|wget|git|cd|export|cat|echo|printf|sed|awk|grep|docker|kind|minikube|k3d|apt|apt-get|yum|dnf|brew|pip3?|python3?|mkdir|rm|cp|mv|chmod|ls|watch|source|tar|unzip|openssl|ssh|systemctl|swapoff|go|npm|make|jq|yq|envsubst|tee|touch|mc|aws|gcloud|az|vi|vim|nano|while|for|if)\b/;
/** Fence languages that hold data, never a command. */
const DATA = new Set('yaml yml json toml ini xml python py go dockerfile js ts diff'.split(' '));
const APPLY_RESULT =
  /^\S+\/\S+ (created|configured|unchanged|deleted|patched|labeled|annotated|edited|serverside-applied)( \(dry run\))?$/;
/** What kubectl and other tools print as errors and notices, never typed by a reader. */
const MESSAGE =
  /^(error|Error|ERROR|resource mapping not found|ensure CRDs are installed first|Warning:|[EWI]\d{4} |The \S+ "|unable to|Unable to|No resources found|Forwarding from|Handling connection)/;
const YAML_LINE = /^\s*(?:- )?[A-Za-z_"'][\w."'/-]*:(?:\s|$)|^\s*- |^\s+\S|^---$/;

export function meaningful(code: string): string[] {
  return code
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** An upper-case header of two or more columns: a kubectl table. */
export function isTableHeader(header: string[]): boolean {
  return header.length > 1 && header.every((h) => /^[A-Z][A-Z0-9()_/.-]*(?: [A-Z][A-Z0-9()_/.-]*)?$/.test(h));
}

/** Whether the block's first line starts a shell command. */
const looksLikeCommand = (code: string) => COMMAND.test(meaningful(code)[0] ?? '');

/** Why the block reads as output rather than a command (for the scaffold's guesses and the dry-run's warning), or undefined. */
export function looksLikeOutput(code: string): string | undefined {
  const lines = code.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0 || looksLikeCommand(code)) return undefined;
  const header = lines[0]!.trim().split(/\s{2,}/);
  if (isTableHeader(header)) return `kubectl 표 (머리글 ${header.slice(0, 3).join(' ')}…)`;
  if (lines.every((l) => APPLY_RESULT.test(l.trim()) || /^Warning: /.test(l.trim())))
    return '`종류/이름 created` 같은 kubectl 결과';
  if (/^NAME: /m.test(code) && /^(LAST DEPLOYED|STATUS|REVISION): /m.test(code))
    return 'helm 의 상태 출력 (NAME:, LAST DEPLOYED:, STATUS:)';
  if (/^(apiVersion|kind):/.test(lines[0]!.trim())) return 'YAML (apiVersion:/kind: 로 시작)';
  if (lines.every((l) => MESSAGE.test(l.trim()))) return '오류나 안내 메시지';
  if (lines.every((l) => l.trim().split(/\s{2,}/).length >= 3)) return '머리글 없는 kubectl 표의 행 (| grep 의 결과)';
  if (lines.every((l) => YAML_LINE.test(l))) return 'YAML (키: 값 줄)';
  return undefined;
}

/** `command` or `output`, by the block's text first and its fence language second. */
export function blockRole(lang: string, code: string): 'command' | 'output' {
  if (DATA.has(lang)) return 'output';
  if (['bash', 'sh', 'shell', 'zsh', 'console'].includes(lang)) return looksLikeOutput(code) ? 'output' : 'command';
  return looksLikeCommand(code) ? 'command' : 'output';
}

/** A command that keeps running (a port-forward, a follow, a watch): run in the background, stopped at the end of the run. */
export function longRunning(code: string): boolean {
  const text = meaningful(code).join(' ');
  const verbs = kubectlVerbs(text);
  return (
    verbs.includes('port-forward') ||
    verbs.includes('proxy') ||
    (verbs.includes('logs') && /\s(-f|--follow)\b/.test(text)) ||
    (verbs.includes('get') && /\s(-w|--watch)(\s|$)/.test(text)) ||
    /^watch\s|\btail\s+-f\b|\bminikube\s+tunnel\b/.test(text)
  );
}

/** A command that needs a person at a terminal: an editor, `-it`, a prompt. */
export function interactive(code: string): string | undefined {
  const text = meaningful(code).join('\n');
  if (kubectlVerbs(text).includes('edit')) return 'kubectl edit 는 편집기를 엽니다';
  if (/(^|\s)(vi|vim|nano|emacs)\s/.test(`${text} `)) return '편집기를 엽니다';
  if (/\s-(it|ti)\b|\s-i\s+-t\b|\s--stdin\b.*--tty\b/.test(text)) return '터미널에서 입력을 받습니다 (-it)';
  if (/(^|;|&&)\s*read\s/m.test(text)) return '입력을 기다립니다 (read)';
  return undefined;
}

/** kubectl, its global flags (`-n NS`, `--context=x`), then the verb. */
const KUBECTL = /\bkubectl\s+(?:-{1,2}[\w-]+(?:=\S+|\s+[^\s-]\S*)?\s+)*([a-z][a-z-]*)/g;

/** Every kubectl verb in a block, in order, past global flags (`kubectl -n NS get … | kubectl apply -f -` → get, apply). */
export function kubectlVerbs(code: string): string[] {
  return [...code.matchAll(KUBECTL)].map((m) => m[1]!);
}
