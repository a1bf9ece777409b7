/**
 * One Docusaurus `_category_.json` (`{"label": "설치 준비", "position": 2}`), read and checked; a bad
 * one names file:line and what to write. Used by categories.ts, the sidebar's route middleware.
 */
import { z } from 'astro/zod';
import { LineCounter, parseDocument } from 'yaml';

const Category = z.looseObject(
  {
    /** The group's name in the sidebar. Default: the folder's name. */
    label: z.string({ error: 'label 은 따옴표 안의 글자로 쓰세요 (예: "label": "설치 준비").' }).optional(),
    /** The group's place among its folder's pages and groups, lower first. */
    position: z.number({ error: 'position 은 숫자로 쓰세요 (예: "position": 2).' }).optional(),
  },
  { error: '_category_.json 은 {"label": "설치 준비", "position": 2} 처럼 JSON 객체로 쓰세요.' },
);
type Category = z.infer<typeof Category>;

/** One `_category_.json` (`file`: its path shown in errors), or an error naming file:line and the fix. */
export function readCategory(file: string, text: string): Category {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const at = (offset: number): string => `${file}:${lineCounter.linePos(offset).line}`;
  const [syntax] = doc.errors;
  if (syntax)
    throw new Error(
      `${at(syntax.pos[0])}: JSON 으로 읽을 수 없습니다 (${syntax.message.split('\n', 1)[0]}). {"label": "설치 준비", "position": 2} 처럼 쓰세요.`,
    );
  const parsed = Category.safeParse(doc.toJS());
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  const field = String(issue?.path[0] ?? '');
  const node = field ? doc.getIn([field], true) : undefined;
  const offset =
    node && typeof node === 'object' && 'range' in node && Array.isArray(node.range) ? Number(node.range[0]) : 0;
  throw new Error(`${at(offset)}: ${issue?.message ?? parsed.error.message}`);
}
