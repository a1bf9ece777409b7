/** The project's frontmatter fields: the site extends Starlight's schema with them (`astro/zod` is `zod`), the runner and `verify` read pages through them. */
import { z } from 'zod';
import { LineCounter, parseDocument } from 'yaml';
import { UsageError } from '../lib/errors.ts';

/** A Kubernetes minor version as written in frontmatter, e.g. `"1.24"`. */
const KubernetesMinor = z
  .string()
  .regex(/^1\.\d+$/, { error: 'Kubernetes 버전은 "1.24" 처럼 마이너 버전까지 따옴표로 적으세요.' });

const runbookName = (error: string) => z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error });

/** Binds a page to the runbook that executes its commands; pages without it are not verified. */
export const RunbookFrontmatter = z.object({
  /** `runbooks/<name>.ts`, usually the page's file name. */
  name: runbookName('runbook.name 은 소문자, 숫자, "-" 만 쓰세요 (예: metallb).'),
  /** The version matrix, the first one the default: `["1.37", "1.24"]`. */
  kubernetes: z
    .array(KubernetesMinor)
    .min(1, { error: 'runbook.kubernetes 에 검증할 버전을 하나 이상 적으세요 (예: ["1.37"]).' })
    .refine((versions) => new Set(versions).size === versions.length, {
      error: 'runbook.kubernetes 에 같은 버전이 두 번 있습니다.',
    }),
  /** The runbook of the page this one continues from: `verify` runs that page first on the same sandbox. */
  continuesFrom: runbookName('runbook.continuesFrom 은 이어지는 페이지의 런북 이름입니다 (예: metallb).').optional(),
});
export type RunbookFrontmatter = z.infer<typeof RunbookFrontmatter>;

/**
 * A date as Hugo and Docusaurus write it (`2024-05-01`, `2024-05-01T09:00:00+09:00`): a Date from Astro's YAML reader, a
 * string from the runner's. A bare number is refused: `date: 2024` would be a millisecond count in 1970.
 */
const PageDate = z
  .union([z.date(), z.string()], { error: '날짜는 2024-05-01 처럼 쓰세요.' })
  .transform((value, ctx) => {
    const date = new Date(value);
    if (Number.isNaN(date.getTime()))
      ctx.addIssue({ code: 'custom', message: `날짜 "${String(value)}" 를 읽을 수 없습니다. 2024-05-01 처럼 쓰세요.` });
    return date;
  });

/** One entry of a Hugo `menu` map; Hugo's own fields, all optional. */
const text = z.string();
const HugoMenuEntry = z
  .object({ identifier: text, name: text, parent: text, pre: text, post: text, title: text, url: text })
  .extend({ weight: z.number().int(), params: z.record(z.string(), z.unknown()) })
  .partial();

/**
 * Docusaurus and Hugo fields, so such a page can be dropped into `src/content/docs/` as it is; other unknown fields are
 * ignored, as Starlight does. See {@link dropInDefaults} for what they become.
 */
const DropInFrontmatter = z.object({
  /** Docusaurus: used as `sidebar.order` when that is not given. */
  sidebar_position: z.number({ error: 'sidebar_position 은 숫자로 쓰세요 (예: 3).' }).optional(),
  /** Docusaurus: used as `sidebar.label` when that is not given. */
  sidebar_label: z.string().optional(),
  /** Hugo: used as `sidebar.label` after `sidebar_label`. */
  linkTitle: z.string().optional(),
  /** Hugo: 0 means unset, as in Hugo. Used as `sidebar.order` after `sidebar_position`. */
  weight: z.int({ error: 'weight 는 정수로 쓰세요 (예: 30).' }).optional(),
  /** Hugo: the last update when neither `lastUpdated` nor `lastmod` is given (Hugo's own fallback). */
  date: PageDate.optional(),
  /** Hugo: Starlight's `lastUpdated` when that is not given. */
  lastmod: PageDate.optional(),
  /** Who wrote the page: a list of names (one name may be written as a string). Kept, not shown. */
  contributors: z
    .union([z.string(), z.array(z.string())], { error: 'contributors 는 이름 목록으로 쓰세요 (예: ["홍길동"]).' })
    .transform((names) => (typeof names === 'string' ? [names] : names))
    .optional(),
  /** Hugo: `main`, `[main, docs]` or `{ docs: { parent, weight } }`, as a map. Kept, not used (the sidebar comes from folders). */
  menu: z
    .union([z.string(), z.array(z.string()), z.record(z.string(), HugoMenuEntry.nullable())], {
      error: 'menu 는 Hugo 형식으로 쓰세요 (예: main, [main, docs] 또는 { docs: { weight: 10 } }).',
    })
    .transform((menu): Record<string, z.infer<typeof HugoMenuEntry>> => {
      if (typeof menu === 'string') return { [menu]: {} };
      if (Array.isArray(menu)) return Object.fromEntries(menu.map((name) => [name, {}]));
      return Object.fromEntries(Object.entries(menu).map(([name, entry]) => [name, entry ?? {}]));
    })
    .optional(),
});
type DropInFrontmatter = z.infer<typeof DropInFrontmatter>;

/** Frontmatter fields this project adds to Starlight's. */
export const ProjectFrontmatter = z.object({
  runbook: RunbookFrontmatter.optional(),
  ...DropInFrontmatter.shape,
});

/** The Starlight fields the drop-in fields stand in for. */
interface StarlightFields {
  sidebar: { order?: number | undefined; label?: string | undefined };
  lastUpdated?: Date | boolean | undefined;
}

/**
 * The page's sidebar order: Starlight's `sidebar.order`, else Docusaurus `sidebar_position`,
 * else a non-zero Hugo `weight`. Lower first; undefined sorts last.
 */
export function pageOrder(data: Pick<DropInFrontmatter, 'sidebar_position' | 'weight'> & Partial<StarlightFields>) {
  return data.sidebar?.order ?? data.sidebar_position ?? (data.weight ? data.weight : undefined);
}

/**
 * Fills Starlight's `sidebar.order`, `sidebar.label` and `lastUpdated` from the drop-in fields when
 * the page does not set them; Starlight's own fields always win. `lastUpdated: false` stays false.
 */
export function dropInDefaults<T extends StarlightFields & DropInFrontmatter>(data: T): T {
  const order = pageOrder(data);
  const label = data.sidebar.label ?? data.sidebar_label ?? data.linkTitle;
  const lastUpdated = data.lastUpdated ?? data.lastmod ?? data.date;
  return {
    ...data,
    sidebar: { ...data.sidebar, ...(order === undefined ? {} : { order }), ...(label === undefined ? {} : { label }) },
    ...(lastUpdated === undefined ? {} : { lastUpdated }),
  };
}

/** Reads the project's fields from a page's parsed frontmatter; the message names the field and the fix. */
export function projectFrontmatter(data: unknown, file: string, source?: string): z.infer<typeof ProjectFrontmatter> {
  const parsed = ProjectFrontmatter.safeParse(data ?? {});
  if (parsed.success) return parsed.data;
  // Each field at its file:line when the page's text is given, in the page's order.
  const located = parsed.error.issues.map((issue) => ({ issue, line: fieldLine(source, issue.path) }));
  const issues = located
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0))
    .map(
      ({ issue, line }) =>
        `${line === undefined ? '' : `${file}:${line}: `}${issue.path.map(String).join('.') || '(frontmatter)'}: ${issue.message}`,
    );
  const aboutRunbook = parsed.error.issues.some((i) => i.path[0] === 'runbook');
  throw new UsageError(
    'FRONTMATTER_INVALID',
    `${file}: frontmatter 가 맞지 않습니다:\n  ${issues.join('\n  ')}`,
    aboutRunbook ? '예: runbook: { name: metallb, kubernetes: ["1.37", "1.24"] }' : '표시된 줄의 값을 고치세요.',
  );
}

/** The 1-based line in the page (if given) of a frontmatter field (`runbook.kubernetes.1`), or of its nearest parent there. */
function fieldLine(source: string | undefined, path: PropertyKey[]): number | undefined {
  const block = /^---\r?\n([\s\S]*?)\r?\n---/.exec(source ?? '');
  if (!block) return undefined;
  const lineCounter = new LineCounter();
  const doc = parseDocument(block[1] ?? '', { lineCounter });
  for (let n = path.length; n > 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    // +1: the opening `---` is the page's first line.
    if (node?.range) return lineCounter.linePos(node.range[0]).line + 1;
  }
  return 2;
}
