/**
 * Content collections: Starlight's `docs` (with the runbook binding in frontmatter) and `i18n`.
 */
import { defineCollection } from 'astro:content';
import { z } from 'astro/zod';
import { docsLoader, i18nLoader } from '@astrojs/starlight/loaders';
import { docsSchema, i18nSchema } from '@astrojs/starlight/schema';

/** A Kubernetes minor version as written in frontmatter, e.g. `"1.24"`. */
const KubernetesMinor = z
  .string()
  .regex(/^1\.\d+$/, { error: 'Kubernetes 버전은 "1.24" 처럼 마이너 버전까지 따옴표로 적으세요.' });

/**
 * Binds a page to the runbook that executes its commands.
 * Pages without it are not verified (no badge, no step marks).
 */
const RunbookFrontmatter = z.object({
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
    .min(1)
    .refine((versions) => new Set(versions).size === versions.length, {
      error: 'runbook.kubernetes 에 같은 버전이 두 번 있습니다.',
    }),
});

/** Frontmatter fields this project adds to Starlight's. */
const ProjectFrontmatter = z.object({
  /** Optional. The runbook that verifies this page; see {@link RunbookFrontmatter}. */
  runbook: RunbookFrontmatter.optional(),
});

export type RunbookFrontmatter = z.infer<typeof RunbookFrontmatter>;

export const collections = {
  docs: defineCollection({
    loader: docsLoader(),
    schema: docsSchema({ extend: ProjectFrontmatter }),
  }),
  /**
   * UI strings (src/content/i18n/ko.json). Starlight's Korean covers its own UI; the Pagefind
   * search strings are set here because @pagefind/default-ui 1.5.2 never reads <html lang>
   * (its bundled onMount is Svelte's server no-op) and would show English.
   */
  i18n: defineCollection({ loader: i18nLoader(), schema: i18nSchema() }),
};
