/**
 * Issue 25, item 3: a folder's Docusaurus `_category_.json` is read as the guide writes it, and a bad
 * one names file:line and what to write. Its effect on the sidebar is tested in site-drop-in.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { readCategory } from '../src/plugins/drop-in/category-file.ts';

const FILE = 'src/content/docs/appendix/setup/_category_.json';

describe('_category_.json', () => {
  it('reads label and position, and lets the other Docusaurus fields through', () => {
    expect(
      readCategory(FILE, '{\n  "label": "설치 준비",\n  "position": 2,\n  "link": { "type": "generated-index" }\n}\n'),
    ).toMatchObject({ label: '설치 준비', position: 2 });
    expect(readCategory(FILE, '{}')).toEqual({});
  });

  it.each([
    [
      'a position that is not a number',
      '{\n  "label": "설치 준비",\n  "position": "2"\n}\n',
      `${FILE}:3: position 은 숫자로 쓰세요 (예: "position": 2).`,
    ],
    [
      'a label that is not text',
      '{\n  "label": 3\n}\n',
      `${FILE}:2: label 은 따옴표 안의 글자로 쓰세요 (예: "label": "설치 준비").`,
    ],
    [
      'not an object',
      '["설치 준비"]\n',
      `${FILE}:1: _category_.json 은 {"label": "설치 준비", "position": 2} 처럼 JSON 객체로 쓰세요.`,
    ],
    ['broken JSON', '{\n  "label": "설치 준비",\n  "position": 2,,\n}\n', `${FILE}:3: JSON 으로 읽을 수 없습니다`],
  ])('%s names file:line and the fix', (_name, text, message) => {
    expect(() => readCategory(FILE, text)).toThrow(message);
  });
});
