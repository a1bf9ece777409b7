// @ts-check
/**
 * Site configuration: Starlight with Korean as the root locale.
 *
 * Deployment (GitHub Pages, issue 5) sets two environment variables:
 *   SITE_URL   the origin, e.g. https://owner.github.io   (default: unset, no canonical URLs)
 *   SITE_BASE  the path prefix, e.g. /verified-docs        (default: /)
 * and the site reads run reports at build time from
 *   REPORTS_DIR  reports/<runbook>/kubernetes-<minor>.json  (default: reports/)
 */
import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';
import starlightLinksValidator from 'starlight-links-validator';
import { dropInPages } from './src/plugins/drop-in/index.ts';
import { pluginStepMarks } from './src/plugins/expressive-code/step-marks.ts';
import { pluginStepMeta } from './src/plugins/expressive-code/step-meta.ts';
import { verification } from './src/lib/verification/reports.ts';

const site = process.env.SITE_URL || undefined;
const base = process.env.SITE_BASE || '/';

// Read and validate every report now: an invalid one stops the build here, naming the file,
// instead of surfacing later as a content render error.
await verification();

export default defineConfig({
  site,
  base,
  // Keep Vite's dev server and `astro preview` on loopback.
  server: { host: '127.0.0.1' },
  integrations: [
    // Hugo shortcodes and other syntax of the guide's Docusaurus/Hugo pages that cannot work here
    // stop the build with file:line and what to write instead.
    dropInPages(),
    starlight({
      title: { ko: '검증된 MLOps 설치 가이드', en: 'Verified MLOps Install Guide' },
      description:
        '온프레미스 MLOps 플랫폼 설치 가이드입니다. 명령은 테스트용 클러스터에서 실행해 확인하고, 단계마다 무엇을 확인했는지 표시합니다.',
      // Korean at the root (/), English beside it (/en/): an untranslated page falls back to the Korean one.
      defaultLocale: 'root',
      locales: { root: { label: '한국어', lang: 'ko' }, en: { label: 'English', lang: 'en' } },
      sidebar: [
        { slug: 'index', label: '소개', translations: { en: 'Introduction' } },
        { label: '부록', translations: { en: 'Appendix' }, items: [{ autogenerate: { directory: 'appendix' } }] },
        // A custom page (src/pages/verification/): sidebar links are not base-prefixed by Starlight.
        {
          link: `${base.replace(/\/$/, '')}/verification/`,
          label: '검증 현황',
          translations: { en: 'Verification status' },
        },
        { slug: 'troubleshooting', label: '문제 해결', translations: { en: 'Troubleshooting' } },
      ],
      // A folder's Docusaurus _category_.json names its sidebar group and places it.
      routeMiddleware: './src/plugins/drop-in/categories.ts',
      components: {
        // Verification badge under the title; marks on screenshot figures.
        PageTitle: './src/components/PageTitle.astro',
        MarkdownContent: './src/components/MarkdownContent.astro',
      },
      customCss: [
        './src/styles/korean.css',
        './src/styles/screenshot.css',
        './src/styles/verification.css',
        './src/styles/verification-pages.css',
      ],
      expressiveCode: {
        plugins: [pluginStepMeta(), pluginStepMarks({ base })],
        // Copy exactly what the page shows: the runbook runs the whole block, comments included.
        frames: { removeCommentsWhenCopyingTerminalFrames: false },
      },
      // A port-forward step tells the reader to open http://localhost:8090: a link to the reader's own
      // machine, never to this site. The validator's own option lets those through (0.26: localhost, 127.0.0.1).
      // Links between pages are written relative (`../metallb-v0-16/`) so they work under any SITE_BASE;
      // the validator cannot check those, so test/site-links.test.ts resolves each one in the built site.
      plugins: [starlightLinksValidator({ errorOnLocalLinks: false, errorOnRelativeLinks: false })],
    }),
  ],
});
