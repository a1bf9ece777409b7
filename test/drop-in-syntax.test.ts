/**
 * Syntax of the guide's Docusaurus/Hugo pages that cannot work on this site is found with its line
 * and what to write instead; what does work (Starlight boxes, shortcodes shown as code, Helm
 * templates) is left alone. Parsed by Sätteri, the parser the site's build uses, with Starlight's
 * directive feature on. The build itself is tested in site-drop-in.test.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { markdownToHtml, mdxToJs } from 'satteri';
import { describe, expect, it } from 'vitest';
import {
  findShortcodesInMdx,
  findUnsupported,
  unsupportedMessage,
  type SyntaxNode,
  type Unsupported,
} from '../src/plugins/drop-in/unsupported-syntax.ts';
import { dropInPlugin } from '../src/plugins/drop-in/index.ts';
import { equivalentsPlugin } from '../src/plugins/drop-in/equivalents.ts';

/** What is left after the Starlight equivalents (equivalents.ts) are made, as the build's pipeline runs them. */
function scan(source: string, format: 'markdown' | 'mdx' = 'markdown'): Unsupported[] {
  const found: Unsupported[] = [];
  const handled: Array<[number, number]> = [];
  const root = mkdtempSync(join(tmpdir(), 'drop-in-'));
  const mdastPlugins = [
    equivalentsPlugin({
      root,
      from: join(root, 'src/content/docs/page.md'),
      docsDir: join(root, 'src/content/docs'),
      publicDir: join(root, 'public'),
      base: '/',
      found,
      handled,
    }),
    {
      name: 'scan',
      options: { position: true },
      before: (tree: unknown, ctx: { source: string }) =>
        void found.push(...findUnsupported(tree as SyntaxNode, ctx.source, format, handled)),
    },
  ];
  if (format === 'mdx') mdxToJs(source, { mdastPlugins, features: { directive: true } });
  else markdownToHtml(source, { mdastPlugins, features: { directive: true } });
  return found;
}

describe('syntax that cannot work is found, with what to write instead', () => {
  it.each<[string, string, number, string, string]>([
    [
      'Hugo figure without a src',
      'Text.\n\n{{< figure title="구성" >}}\n',
      3,
      '{{< figure title="구성" >}}',
      '![설명](./그림.png)',
    ],
    [
      'Hugo notice with no closing tag',
      '{{% notice warning %}}\n조심하세요.\n',
      1,
      '{{% notice warning %}}',
      ':::caution',
    ],
    [
      'Hugo ref outside a link',
      'See {{< ref "metallb.md" >}}.\n',
      1,
      '{{< ref "metallb.md" >}}',
      '[링크 글자](../폴더/페이지.md)',
    ],
    ['Hugo tabs', '{{< tabs >}}\nx\n', 1, '{{< tabs >}}', "from '@astrojs/starlight/components'"],
    ['unknown Hugo shortcode', '- item {{< myshortcode >}}\n', 1, '{{< myshortcode >}}', 'Markdown 으로'],
    ['a box Starlight has no equivalent for', ':::details\n본문\n:::\n', 1, ':::details', ':::note'],
    [
      'MDX import in a .md page',
      "# 설치\n\nimport Tabs from '@theme/Tabs';\n",
      3,
      'import Tabs',
      "import { Tabs, TabItem } from '@astrojs/starlight/components';",
    ],
    ['MDX component in a .md page', 'Text\n\n<Tabs>\n<TabItem value="a">x</TabItem>\n</Tabs>\n', 3, '<Tabs>', '.mdx'],
    ['Docusaurus heading id', '## 설치 {#install}\n', 1, '{#install}', '{#install} 를 지우세요'],
  ])('%s', (_name, source, line, found, instead) => {
    const [first, ...rest] = scan(source);
    expect(first).toMatchObject({ line, found });
    expect(first?.instead).toContain(instead);
    expect(rest).toEqual([]);
  });

  it('finds Docusaurus-only modules in an .mdx page', () => {
    const found = scan(
      "import Tabs from '@theme/Tabs';\nimport Logo from '@site/static/img/logo.png';\n\n# 설치\n",
      'mdx',
    );
    expect(found.map((f) => [f.line, f.found, f.instead])).toEqual([
      [1, "import … from '@theme/Tabs'", "import { Tabs, TabItem } from '@astrojs/starlight/components';"],
      [2, "import … from '@site/static/img/logo.png'", "페이지 파일에서 본 상대 경로 (예: './logo.png')"],
    ]);
  });

  it('finds Hugo shortcodes in an .mdx page before the MDX parser stops at them without saying what to write', () => {
    const source =
      '# 설치\n\n`{{< shown >}}` 는 괜찮습니다.\n\n```text\n{{< also shown >}}\n```\n\n{{< figure src="a.png" >}}\n';
    expect(findShortcodesInMdx(source).map((f) => [f.line, f.found])).toEqual([[9, '{{< figure src="a.png" >}}']]);
    const run = () => mdxToJs(source, { mdastPlugins: [dropInPlugin({ root: '/' })], features: { directive: true } });
    expect(run).toThrow('(Markdown):9  {{< figure src="a.png" >}}');
  });

  it('lists closing shortcodes too, each with what to write', () => {
    expect(scan('{{< tabs >}}\nx\n{{< /tabs >}}\n').map((f) => [f.line, f.found, f.instead.slice(0, 7)])).toEqual([
      [1, '{{< tabs >}}', '파일 이름을 '],
      [3, '{{< /tabs >}}', '</Tabs>'],
    ]);
    expect(scan('x\n\n{{< /details >}}\n').map((f) => [f.line, f.instead])).toEqual([[3, '</details>']]);
  });
});

describe('what works here is left alone', () => {
  it.each([
    ['a shortcode shown as inline code', 'Write `{{< ref "a.md" >}}` in Hugo.\n'],
    ['a shortcode in a code block', '```text\n{{< highlight bash >}}\n```\n'],
    ['a shortcode in an HTML comment', '<!-- {{< figure src="a.png" >}} -->\n'],
    ['a Helm template', 'Set `image: {{ .Values.image }}` and {{ .Release.Name }} in the chart.\n'],
    ['Starlight boxes, with and without a title', ':::tip[포트가 쓰이고 있다면]\n본문\n:::\n\n:::caution\n본문\n:::\n'],
    ['an ordinary paragraph starting with "import"', 'import 단계에서 이미지가 들어갑니다.\n'],
    ['lower-case HTML', '<details><summary>더 보기</summary>\n\n본문\n\n</details>\n'],
    ['a heading with braces in it', '## `{key}` 바꾸기\n'],
  ])('%s', (_name, source) => {
    expect(scan(source)).toEqual([]);
  });

  it('leaves import/export and components alone in .mdx pages', () => {
    expect(
      scan(
        'import { Tabs, TabItem } from \'@astrojs/starlight/components\';\n\n<Tabs>\n<TabItem label="a">x</TabItem>\n</Tabs>\n',
        'mdx',
      ),
    ).toEqual([]);
  });
});

describe('the message', () => {
  it('names every place as file:line, in line order, with what to write instead', () => {
    const message = unsupportedMessage('src/content/docs/x.md', scan(':::details\nx\n:::\n\n{{< youtube abc >}}\n'));
    expect(message).toBe(
      [
        'src/content/docs/x.md: 이 사이트(Astro + Starlight)에서 동작하지 않는 곳이 2곳 있습니다.',
        '  src/content/docs/x.md:1  :::details',
        '    Starlight 의 알림 상자는 :::note, :::tip, :::caution, :::danger 뿐이라 상자 없이 글만 나갑니다.',
        '    대신 이렇게 쓰세요: :::note',
        '  src/content/docs/x.md:5  {{< youtube abc >}}',
        '    Hugo 단축 코드는 Hugo 만 처리해서 이 사이트에는 글자 그대로 나갑니다.',
        '    대신 이렇게 쓰세요: [동영상 제목](https://www.youtube.com/watch?v=…) 같은 링크',
      ].join('\n'),
    );
  });

  it('the plugin throws it, counting lines from the top of the file when the parser got only the body', () => {
    const dir = mkdtempSync(join(tmpdir(), 'drop-in-'));
    const file = join(dir, 'page.md');
    const body = '본문\n\n{{< youtube abc >}}';
    writeFileSync(file, `---\ntitle: x\n---\n\n${body}\n`);
    const failed: string[] = [];
    // As Astro's content loader does: the body after the frontmatter, trimmed.
    const run = () =>
      markdownToHtml(body, {
        fileURL: pathToFileURL(file),
        mdastPlugins: [dropInPlugin({ root: dir, failed: (m: string) => failed.push(m) })],
        features: { directive: true },
      });
    expect(run).toThrow('page.md:7  {{< youtube abc >}}');
    expect(failed).toHaveLength(1);
  });
});
