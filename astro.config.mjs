// @ts-check
/**
 * Site configuration: Starlight with Korean as the root locale.
 *
 * Deployment (GitHub Pages, issue 5) sets two environment variables:
 *   SITE_URL   the origin, e.g. https://owner.github.io   (default: unset, no canonical URLs)
 *   SITE_BASE  the path prefix, e.g. /verified-docs        (default: /)
 */
import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';
import starlightLinksValidator from 'starlight-links-validator';
import { pluginStepMeta } from './src/plugins/expressive-code/step-meta.ts';

const site = process.env.SITE_URL || undefined;
const base = process.env.SITE_BASE || '/';

export default defineConfig({
  site,
  base,
  // Keep Vite's dev server and `astro preview` on loopback.
  server: { host: '127.0.0.1' },
  integrations: [
    starlight({
      title: '검증된 MLOps 설치 가이드',
      description:
        '온프레미스 MLOps 플랫폼 설치 가이드입니다. 모든 단계는 실제 클러스터에서 실행되고 확인됩니다.',
      locales: { root: { label: '한국어', lang: 'ko' } },
      sidebar: [
        { slug: 'index', label: '소개' },
        { label: '부록', items: [{ autogenerate: { directory: 'appendix' } }] },
      ],
      customCss: ['./src/styles/korean.css', './src/styles/screenshot.css'],
      expressiveCode: {
        plugins: [pluginStepMeta()],
        // Copy exactly what the page shows: the runbook runs the whole block, comments included.
        frames: { removeCommentsWhenCopyingTerminalFrames: false },
      },
      plugins: [starlightLinksValidator()],
    }),
  ],
});
