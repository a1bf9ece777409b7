import fs from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/** A function a newcomer reads in one screen: longer ones are split by phase (expectation, attempt, wait, postconditions). */
const LIMIT = 80;

/** Every function (declarations, methods, arrows, expressions) of `text` longer than `limit` lines, as `file:line name (n lines)`. */
function longFunctions(file: string, text: string, limit: number): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const line = (pos: number) => source.getLineAndCharacterOfPosition(pos).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const lines = line(node.getEnd()) - line(node.getStart()) + 1;
      const name =
        node.name?.getText() ?? (ts.isVariableDeclaration(node.parent) ? node.parent.name.getText() : '(anonymous)');
      if (lines > limit) found.push(`${file}:${line(node.getStart())} ${name} (${lines} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('function length', () => {
  it(`finds a function over the limit, named, with its line (and not one at the limit)`, () => {
    const body = (n: number) => Array.from({ length: n - 2 }, (_, i) => `  const a${i} = ${i};`).join('\n');
    const text = `export function atLimit() {\n${body(LIMIT)}\n}\nconst tooLong = () => {\n${body(LIMIT + 1)}\n};\n`;
    expect(longFunctions('x.ts', text, LIMIT)).toEqual([`x.ts:${LIMIT + 1} tooLong (${LIMIT + 1} lines)`]);
  });

  it(`no function in scripts/, runbooks/ or src/ is over ${LIMIT} lines`, () => {
    const files = ['scripts', 'runbooks', 'src'].flatMap((dir) =>
      fs
        .readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts'))
        .map((f) => `${dir}/${f}`),
    );
    expect(files.length).toBeGreaterThan(50);
    const long = files.flatMap((f) => longFunctions(f, fs.readFileSync(f, 'utf8'), LIMIT));
    expect(long, 'split these by phase').toEqual([]);
  });
});
