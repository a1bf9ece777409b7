import { parseArgs, renderUsage, type ArgsDef, type CommandDef, type ParsedArgs } from 'citty';
import { stripVTControlCharacters } from 'node:util';
import { UsageError } from './errors.ts';
import { useColor, type Io } from './io.ts';

/**
 * Parses argv against a citty command definition: one definition drives parsing, types and
 * help. Unknown flags are errors (exit 2) with the closest known flag as a hint.
 * Returns `undefined` after printing help for `--help`.
 */
export async function parseCommand<const T extends ArgsDef>(
  argv: string[],
  command: CommandDef<T> & { args: T },
  io: Pick<Io, 'out' | 'env' | 'interactive'>,
): Promise<ParsedArgs<T> | undefined> {
  if (argv.includes('--help') || argv.includes('-h')) {
    const usage = await renderUsage(command);
    io.out(`${useColor(io) ? usage : stripVTControlCharacters(usage)}\n`);
    return undefined;
  }
  const known = Object.entries(command.args).flatMap(([name, def]) => [
    name,
    ...[(def as { alias?: string | string[] }).alias ?? []].flat(),
  ]);
  for (const raw of argv) {
    if (raw === '--') break;
    if (!raw.startsWith('-')) continue;
    const name = raw.replace(/^--?(no-)?/, '').split('=')[0] ?? '';
    if (!known.includes(name)) {
      const near = closest(name, known);
      throw new UsageError(
        'UNKNOWN_FLAG',
        `알 수 없는 옵션입니다: ${raw}`,
        near ? `--${near} 를 뜻했나요? 전체 목록은 --help 로 보세요.` : '전체 목록은 --help 로 보세요.',
      );
    }
  }
  return parseArgs<T>(argv, command.args);
}

/** The candidate with the smallest edit distance, if it is close enough to be a typo. */
export function closest(word: string, candidates: string[]): string | undefined {
  // A stable sort: of equally close candidates, the first.
  const [best] = candidates.map((c) => ({ c, d: distance(word, c) })).sort((a, b) => a.d - b.d);
  return best && best.d <= Math.max(2, Math.floor(word.length / 3)) ? best.c : undefined;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] ?? 0;
}
