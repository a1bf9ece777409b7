/**
 * A screenshot written as a Markdown image with its step id in the title (`![설명](./x.png "step=id")`,
 * scripts/model/page.ts IMAGE_STEP) renders as the screenshot figure of that step, holding the image,
 * with `step=…` taken out of the title. Run through Sätteri, the parser the build uses; the build and
 * the marks on it are tested in site-step-images.test.ts.
 */
import { markdownToHtml } from 'satteri';
import { describe, expect, it } from 'vitest';
import { parsePage } from '../scripts/model/page.ts';
import { stepImagesPlugin } from '../src/plugins/step-images.ts';

function render(markdown: string): string {
  // Synchronous: the plugin is not async.
  const { html } = markdownToHtml(markdown, { mdastPlugins: [stepImagesPlugin] }) as Awaited<
    ReturnType<typeof markdownToHtml>
  >;
  return html.trim();
}

describe('a Markdown image with step= in its title', () => {
  it.each([
    [
      'the step id alone: no title left',
      '![로그인 화면](./x.png "step=minio/browser")',
      '<figure class="screenshot" data-step="minio/browser"><img src="./x.png" alt="로그인 화면"></figure>',
    ],
    [
      'other title words stay',
      '![로그인 화면](./x.png "minio 로그인 step=minio/browser")',
      '<figure class="screenshot" data-step="minio/browser"><img src="./x.png" alt="로그인 화면" title="minio 로그인"></figure>',
    ],
    [
      'words after the step id stay too',
      '![a](./x.png "앞 step=a/b 뒤")',
      '<figure class="screenshot" data-step="a/b"><img src="./x.png" alt="a" title="앞 뒤"></figure>',
    ],
    [
      'text around it stays, before and after the figure',
      '앞 글 ![a](./x.png "step=a/b") 뒤 글',
      '<p>앞 글 </p>\n<figure class="screenshot" data-step="a/b"><img src="./x.png" alt="a"></figure>\n<p> 뒤 글</p>',
    ],
    [
      'a linked screenshot keeps its link',
      '[![a](./x.png "step=a/b")](./x-large.png)',
      '<figure class="screenshot" data-step="a/b"><a href="./x-large.png"><img src="./x.png" alt="a"></a></figure>',
    ],
    [
      'two screenshots side by side are two figures',
      '![a](./x.png "step=a/b") ![c](./y.png "step=c/d")',
      '<figure class="screenshot" data-step="a/b"><img src="./x.png" alt="a"></figure>\n<figure class="screenshot" data-step="c/d"><img src="./y.png" alt="c"></figure>',
    ],
    [
      'an image without a step id is left alone',
      '![a](./x.png "제목")',
      '<p><img src="./x.png" alt="a" title="제목"></p>',
    ],
    [
      '"step=" inside a word is no step id',
      '![a](./x.png "nostep=a/b")',
      '<p><img src="./x.png" alt="a" title="nostep=a/b"></p>',
    ],
  ])('%s', (_name, markdown, html) => {
    expect(render(markdown)).toBe(html);
  });

  it('marks the same anchors the page reader binds', () => {
    const markdown =
      '[http://x](http://x) 를 여세요.\n\n![a](./x.png "step=a/b")\n\n앞 ![c](./y.png "제목 step=c/d")\n';
    const ids = [...render(markdown).matchAll(/data-step="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual(parsePage(markdown, 'page.md').anchors.map((a) => a.id));
  });
});
