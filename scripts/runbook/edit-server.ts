import crypto from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { applyChanges, type FieldChange } from './edit-apply.ts';

/**
 * The `KUBE_EDITOR` of a `kubectl edit` step without a Node runtime per edit: a bash editor hands the file's path
 * to this loopback server, which applies the page's marked changes and answers `ok` or the error (the editor then
 * exits 1). One server per edit step; a connection must present the step's random token.
 */
const EDITOR_SCRIPT = `#!/usr/bin/env bash
# KUBE_EDITOR of a runbook's kubectl edit step (scripts/runbook/edit-server.ts). Usage (by kubectl): editor <file>
set -u
file="\${1:?editor: kubectl 이 넘긴 파일이 필요합니다}"
case "$file" in /*) ;; *) file="$PWD/$file" ;; esac
if ! exec 3<>"/dev/tcp/127.0.0.1/\${VDOCS_EDIT_PORT:?}"; then
  echo "editor: 런북의 편집 서버 127.0.0.1:$VDOCS_EDIT_PORT 에 연결하지 못했습니다 (bash 의 /dev/tcp 가 필요합니다)." >&2
  exit 1
fi
printf '%s\\n%s\\n' "\${VDOCS_EDIT_TOKEN:?}" "$file" >&3
IFS= read -r reply <&3 || reply="error 편집 서버가 답하지 않고 연결을 닫았습니다."
[ "$reply" = ok ] && exit 0
echo "editor: \${reply#error }" >&2
exit 1
`;

/** The \`kubectl edit\` command's environment (KUBE_EDITOR and how it reaches the server), the files edited, close. */
export async function startEditServer(changes: FieldChange[]) {
  const token = crypto.randomBytes(24).toString('hex');
  const edited: string[] = [];
  const answer = (sent: string, file: string): string => {
    const a = Buffer.from(sent);
    const b = Buffer.from(token);
    if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) return 'error 이 편집 서버의 토큰이 아닙니다.\n';
    if (!path.isAbsolute(file)) return `error kubectl 이 넘긴 파일 경로가 절대 경로가 아닙니다: ${file}\n`;
    try {
      fs.writeFileSync(file, applyChanges(fs.readFileSync(file, 'utf8'), changes));
      edited.push(file);
      return 'ok\n';
    } catch (error) {
      return `error 페이지의 변경을 적용하지 못했습니다: ${(error as Error).message.replace(/\s*\n\s*/g, ' ')}\n`;
    }
  };
  const server = net.createServer((socket) => {
    let input = '';
    let answered = false;
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    socket.on('data', (chunk: string) => {
      if (answered) return;
      input += chunk;
      if (input.length > 65_536) return void socket.destroy();
      const lines = input.split('\n');
      if (lines.length < 3) return; // the token and the path, each ending in a newline
      answered = true;
      socket.end(answer(lines[0] ?? '', lines[1] ?? ''));
    });
  });
  await once(server.listen(0, '127.0.0.1'), 'listening');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vdocs-editor-'));
  const script = path.join(dir, 'editor');
  fs.writeFileSync(script, EDITOR_SCRIPT, { mode: 0o700 });
  const { port } = server.address() as net.AddressInfo;
  // kubectl execs an editor path without spaces directly, and runs one with spaces through `sh -c`.
  const editor = /\s/.test(script) ? `'${script.replace(/'/g, `'\\''`)}'` : script;
  return {
    env: { KUBE_EDITOR: editor, VDOCS_EDIT_PORT: String(port), VDOCS_EDIT_TOKEN: token },
    edited,
    close: async () => {
      fs.rmSync(dir, { recursive: true, force: true });
      await once(server.close(), 'close');
    },
  };
}
