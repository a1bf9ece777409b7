/**
 * Content collections: Starlight's `docs` (with the runbook binding in frontmatter) and `i18n`.
 * The project's frontmatter schema lives in scripts/model/frontmatter.ts, shared with the runner.
 */
import { defineCollection } from 'astro:content';
import { docsLoader, i18nLoader } from '@astrojs/starlight/loaders';
import { docsSchema, i18nSchema } from '@astrojs/starlight/schema';
import { dropInDefaults, ProjectFrontmatter } from '../scripts/model/frontmatter.ts';

export type { RunbookFrontmatter } from '../scripts/model/frontmatter.ts';

export const collections = {
  /**
   * Starlight's fields plus the project's (`runbook`) and those of the guide's Docusaurus/Hugo pages
   * (`sidebar_position`, `weight`, `date`, `lastmod`, `contributors`, `menu`): a page in that form
   * drops in as it is, its position and date becoming Starlight's `sidebar.order` and `lastUpdated`.
   */
  docs: defineCollection({
    loader: docsLoader(),
    schema: (context) => docsSchema({ extend: ProjectFrontmatter })(context).transform(dropInDefaults),
  }),
  /**
   * UI strings (src/content/i18n/ko.json). Starlight's Korean covers its own UI; the Pagefind
   * search strings are set here because @pagefind/default-ui 1.5.2 never reads <html lang>
   * (its bundled onMount is Svelte's server no-op) and would show English.
   */
  i18n: defineCollection({ loader: i18nLoader(), schema: i18nSchema() }),
};
