/**
 * The Hugo shortcodes almost every Hugo docs site uses, read as what they mean here: `notice` (a box),
 * `ref`/`relref` (a link to another page's file) and `figure` (an image with a caption).
 * Parsing only; src/plugins/drop-in/equivalents.ts builds the Starlight equivalents from it.
 *
 * Sätteri's smart punctuation turns `"` into `“ ”` in text, so quotes of either kind are accepted.
 */
import fs from 'node:fs';
import path from 'node:path';

const Q = '["“”]';

/** `{{% notice warning "Title" %}}` / `{{< notice style="tip" title="…" >}}` alone at the start of a text. */
export const NOTICE_OPEN = /^[ \t]*\{\{([<%])[ \t]*notice\b([^\n]*?)[>%]\}\}[ \t]*(?:\n|$)/;
/** `{{% /notice %}}` alone at the end of a text. */
export const NOTICE_CLOSE = /(?:^|\n)[ \t]*\{\{[<%][ \t]*\/[ \t]*notice[ \t]*[>%]\}\}[ \t]*$/;
/** `[text]({{< relref "path#anchor" >}})`: Sätteri sees no link there (a destination has no spaces), only text. */
export const REF_LINK = new RegExp(
  `\\[([^\\]\\n]*)\\]\\(\\s*\\{\\{[<%]\\s*(?:rel)?ref\\s+${Q}([^"“”]+)${Q}\\s*[>%]\\}\\}\\s*\\)`,
  'g',
);
/** `{{< relref "path" >}}` inside HTML, e.g. `<a href="{{< ref "x" >}}">`. */
export const REF_BARE = /\{\{[<%]\s*(?:rel)?ref\s+"([^"]+)"\s*[>%]\}\}/g;
/** A paragraph or HTML block that is one `{{< figure … >}}` and nothing else. */
export const FIGURE = /^\{\{[<%]\s*figure\b([^]*?)[>%]\}\}$/;

/** A shortcode's arguments: `name="value"` pairs, and bare words or quoted strings in order. */
export function shortcodeArgs(text: string): { named: Record<string, string>; positional: string[] } {
  const named: Record<string, string> = {};
  const positional: string[] = [];
  for (const m of text.matchAll(/([\w-]+)=["“”]([^"“”]*)["“”]|([\w-]+)=(\S+)|["“”]([^"“”]*)["“”]|(\S+)/g)) {
    const key = m[1] ?? m[3];
    if (key !== undefined) named[key] = m[2] ?? m[4] ?? '';
    else positional.push(m[5] ?? m[6] ?? '');
  }
  return { named, positional };
}

/** A notice's box kind and title: `notice warning "T"` (hugo-theme-learn) or `notice style="warning" title="T"` (relearn). */
export function noticeArgs(text: string): { kind: string; title: string | undefined } {
  const { named, positional } = shortcodeArgs(text);
  return { kind: named['style'] ?? positional[0] ?? 'note', title: named['title'] ?? positional[1] };
}

/**
 * The page file a `ref`/`relref` names, as Hugo looks it up: a path starting with `/` from the
 * content folder, any other first from the page's folder and then from the content folder; with or
 * without `.md`, or a page bundle's folder (`index.md`).
 */
export function refTarget(docsDir: string, from: string, ref: string): string | undefined {
  const [file = ''] = ref.split('#');
  const bases = file.startsWith('/') ? [docsDir] : [path.dirname(from), docsDir];
  for (const base of bases) {
    const at = path.join(base, decodeURIComponent(file));
    for (const candidate of [at, `${at}.md`, `${at}.mdx`, path.join(at, 'index.md'), path.join(at, 'index.mdx')]) {
      if (candidate.startsWith(docsDir + path.sep) && fs.statSync(candidate, { throwIfNoEntry: false })?.isFile())
        return candidate;
    }
  }
  return undefined;
}
