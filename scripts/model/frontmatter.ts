/**
 * The project's frontmatter fields, in one schema: the site's content collection extends
 * Starlight's schema with it, and the runner and `npm run verify` read pages through it.
 * (`astro/zod` and `zod` are the same package here, so one schema serves both.)
 */
import { z } from 'zod';
import { UsageError } from '../lib/errors.ts';

/** A Kubernetes minor version as written in frontmatter, e.g. `"1.24"`. */
const KubernetesMinor = z
  .string()
  .regex(/^1\.\d+$/, { error: 'Kubernetes 버전은 "1.24" 처럼 마이너 버전까지 따옴표로 적으세요.' });

/**
 * Binds a page to the runbook that executes its commands.
 * Pages without it are not verified (no badge, no step marks).
 */
export const RunbookFrontmatter = z.object({
  /**
   * Name of the runbook under `runbooks/`, as passed to `npm run runbook -- <name>`.
   * Usually the page's file name, e.g. `metallb`.
   */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, {
    error: 'runbook.name 은 소문자, 숫자, "-" 만 쓰세요 (예: metallb).',
  }),
  /**
   * Kubernetes minor versions the page is verified on: the version matrix.
   * The first entry is the default version. At least one; no duplicates.
   * @example ["1.37", "1.24"]
   */
  kubernetes: z
    .array(KubernetesMinor)
    .min(1, { error: 'runbook.kubernetes 에 검증할 버전을 하나 이상 적으세요 (예: ["1.37"]).' })
    .refine((versions) => new Set(versions).size === versions.length, {
      error: 'runbook.kubernetes 에 같은 버전이 두 번 있습니다.',
    }),
});
export type RunbookFrontmatter = z.infer<typeof RunbookFrontmatter>;

/** Frontmatter fields this project adds to Starlight's. */
export const ProjectFrontmatter = z.object({
  /** Optional. The runbook that verifies this page; see {@link RunbookFrontmatter}. */
  runbook: RunbookFrontmatter.optional(),
});

/** Reads the project's fields from a page's parsed frontmatter; the message names the field and the fix. */
export function projectFrontmatter(data: unknown, file: string): z.infer<typeof ProjectFrontmatter> {
  const parsed = ProjectFrontmatter.safeParse(data ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(frontmatter)'}: ${i.message}`);
  throw new UsageError('FRONTMATTER_INVALID', `${file}: frontmatter 가 맞지 않습니다:\n  ${issues.join('\n  ')}`, '예: runbook: { name: metallb, kubernetes: ["1.37", "1.24"] }');
}
