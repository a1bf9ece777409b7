/**
 * Issue 25, items 2 and 3: the guide's Docusaurus boxes and the Hugo shortcodes almost every Hugo
 * docs site uses render as their Starlight equivalents without an edit, and a page or image that is
 * not there stops the build with every place as file:line. Run through Sätteri, the parser the build
 * uses, with the drop-in pipeline as the build registers it; a last plugin reads the boxes as
 * Starlight's asides plugin would receive them. The build itself is tested in site-drop-in.test.ts.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { markdownToHtml, type MdastPluginDefinition } from 'satteri';
import { describe, expect, it } from 'vitest';
import { dropInPlugin } from '../src/plugins/drop-in/index.ts';

const ROOT = mkdtempSync(join(tmpdir(), 'drop-in-equivalents-'));
const PAGE = join(ROOT, 'src/content/docs/appendix/page.md');
for (const file of [
  'src/content/docs/appendix/metallb.md',
  'src/content/docs/appendix/grafana/index.md',
  'src/content/docs/appendix/img/a.png',
  'public/images/logo.png',
]) {
  mkdirSync(dirname(join(ROOT, file)), { recursive: true });
  writeFileSync(join(ROOT, file), '');
}

interface Box {
  name: string;
  title: string | undefined;
  text: string;
}

/** The page rendered by the pipeline (`base`: SITE_BASE), its boxes as Starlight's asides plugin gets them, and its links' URLs. */
function render(body: string, base = '/'): { html: string; boxes: Box[]; links: string[] } {
  writeFileSync(PAGE, `---\ntitle: 쪽\n---\n\n${body}\n`);
  const boxes: Box[] = [];
  const links: string[] = [];
  const read: MdastPluginDefinition = {
    name: 'read-boxes',
    link: (node) => void links.push(decodeURI(node.url)),
    containerDirective: (node, ctx) => {
      const [label, ...rest] = node.children;
      const titled = (label?.data as { directiveLabel?: boolean } | undefined)?.directiveLabel === true;
      boxes.push({
        name: node.name,
        title: titled && label ? ctx.textContent(label) : undefined,
        text: (titled ? rest : node.children).map((c) => ctx.textContent(c)).join('|'),
      });
    },
  };
  // Synchronous: no plugin here is async.
  const { html } = markdownToHtml(body, {
    fileURL: pathToFileURL(PAGE),
    mdastPlugins: [dropInPlugin({ root: ROOT, base }), read],
    features: { directive: true, gfm: true, smartPunctuation: true },
  }) as Awaited<ReturnType<typeof markdownToHtml>>;
  return { html, boxes, links };
}

describe('Docusaurus boxes become Starlight asides', () => {
  it.each<[string, string, Box]>([
    ['info → note', ':::info\n본문\n:::', { name: 'note', title: undefined, text: '본문' }],
    ['warning → caution', ':::warning\n본문\n:::', { name: 'caution', title: undefined, text: '본문' }],
    [
      'Docusaurus 2 title after the name',
      ':::tip 포트가 쓰이고 있다면\n본문\n:::',
      { name: 'tip', title: '포트가 쓰이고 있다면', text: '본문' },
    ],
    [
      'Docusaurus 3 title, an info box',
      ':::info[알아 두세요]\n본문\n:::',
      { name: 'note', title: '알아 두세요', text: '본문' },
    ],
    ['Starlight names stay', ':::danger\n본문\n:::', { name: 'danger', title: undefined, text: '본문' }],
  ])('%s', (_name, source, box) => {
    expect(render(source).boxes).toEqual([box]);
  });
});

describe('Hugo shortcodes become their equivalents', () => {
  it.each<[string, string, Box]>([
    [
      'notice in one paragraph, with a link inside',
      '{{% notice info %}}\n[MetalLB](metallb.md) 를 먼저 설치하세요.\n{{% /notice %}}',
      { name: 'note', title: undefined, text: 'MetalLB 를 먼저 설치하세요.' },
    ],
    [
      'notice around paragraphs, with a title (hugo-theme-learn)',
      '{{< notice warning "조심하세요" >}}\n\n첫 문단\n\n둘째 문단\n\n{{< /notice >}}',
      { name: 'caution', title: '조심하세요', text: '첫 문단|둘째 문단' },
    ],
    [
      'notice with style and title (relearn)',
      '{{% notice style="tip" title="팁" %}}\n본문\n{{% /notice %}}',
      { name: 'tip', title: '팁', text: '본문' },
    ],
    ['notice note', '{{% notice note %}}\n본문\n{{% /notice %}}', { name: 'note', title: undefined, text: '본문' }],
  ])('%s', (_name, source, box) => {
    expect(render(source).boxes).toEqual([box]);
  });

  it("turns relref and ref into links to the pages' routes, relative to this page (any SITE_BASE)", () => {
    const { html, links } = render(
      '[MetalLB]({{< relref "metallb.md#요구사항" >}}), [Grafana]({{< ref "/appendix/grafana" >}})\n\n<div>\n<a href="{{< ref "metallb" >}}">여기</a>\n</div>\n\n{{% notice tip %}}\n[안에서도]({{< ref "metallb.md" >}})\n{{% /notice %}}',
    );
    expect(decodeURI(html)).toContain('<a href="../metallb/#요구사항">MetalLB</a>, <a href="../grafana/">Grafana</a>');
    expect(html).toContain('<div>\n<a href="../metallb/">여기</a>\n</div>');
    expect(links).toEqual(['../metallb/#요구사항', '../grafana/', '../metallb/']);
  });

  it("turns a figure into <figure> with the image beside the page (for Astro's image pipeline) and its caption", () => {
    expect(render('{{< figure src="img/a.png" alt="구성도" caption="네트워크 구성" >}}').html.trim()).toBe(
      '<figure><img src="./img/a.png" alt="구성도"><figcaption>네트워크 구성</figcaption></figure>',
    );
    expect(render('{{<figure src="img/a.png" title="제목">}}').html.trim()).toBe(
      '<figure><img src="./img/a.png" alt="제목"><figcaption>제목</figcaption></figure>',
    );
  });
});

describe('images', () => {
  it('serves a Hugo-era <img src="/…"> from public/ under SITE_BASE, and makes one beside the page a Markdown image', () => {
    const { html } = render(
      '<img src="/images/logo.png" alt="로고">\n\n<p align="center"><img src="./img/a.png" alt="화면" width="300"></p>',
      '/verified-docs/',
    );
    expect(html).toContain('<img src="/verified-docs/images/logo.png" alt="로고">');
    expect(html).toContain('<p align="center"><img src="./img/a.png" alt="화면" width="300"></p>');
  });

  it("leaves other sites' images alone", () => {
    expect(render('<img src="https://example.com/a.png">').html.trim()).toBe('<img src="https://example.com/a.png">');
  });
});

describe('what cannot work stops the page, every place listed with file:line', () => {
  it('a missing page, missing images and a shortcode with no equivalent (closing tag too)', () => {
    const body = [
      '[GPU]({{< relref "setup/gpu.md" >}})',
      '',
      '<img src="/images/topology.png">',
      '',
      '{{< figure src="missing.png" >}}',
      '',
      '![화면](./img/none.png)',
      '',
      '{{< tabs >}}',
      '탭',
      '{{< /tabs >}}',
      '',
      '{{% notice info %}}',
      '이것은 됩니다.',
      '{{% /notice %}}',
    ].join('\n');
    let message = '';
    try {
      render(body);
    } catch (error) {
      message = (error as Error).message;
    }
    const file = 'src/content/docs/appendix/page.md';
    const lines = message
      .split('\n')
      .filter((line) => line.startsWith(`  ${file}:`))
      .map((line) => line.trim());
    expect(lines).toEqual([
      `${file}:5  {{< ref "setup/gpu.md" >}}`,
      `${file}:7  <img src="/images/topology.png">`,
      `${file}:9  {{< figure src="missing.png" >}}`,
      `${file}:11  ![화면](./img/none.png)`,
      `${file}:13  {{< tabs >}}`,
      `${file}:15  {{< /tabs >}}`,
    ]);
    expect(message).toContain(`${file}: 이 사이트(Astro + Starlight)에서 동작하지 않는 곳이 6곳 있습니다.`);
    expect(message).toContain('가리키는 페이지 setup/gpu.md 가 사이트에 없습니다');
    expect(message).toContain('[링크 글자](../폴더/페이지.md) 를 쓰세요 (SITE_BASE 아래에서도 동작합니다)');
    expect(message).toContain('그림 파일 public/images/topology.png 이 없습니다');
    expect(message).toContain(
      '그림을 public/images/topology.png 에 두거나, 페이지 옆 src/content/docs/appendix/topology.png 에 두고 src 를 ./topology.png 로 바꾸세요',
    );
    expect(message).toContain('그림 파일 src/content/docs/appendix/missing.png 이 없습니다');
  });
});
