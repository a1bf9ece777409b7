/**
 * Type shim for starlight-links-validator, which ships TypeScript sources that read
 * `file.data.astro.frontmatter` from vfile. The augmentation normally comes from
 * `@astrojs/markdown-remark`, which this project does not install (Astro 7 renders
 * Markdown with Sätteri). Without it `tsc --noEmit` fails inside node_modules.
 */
import 'vfile';

declare module 'vfile' {
  interface DataMap {
    astro: {
      // `any`, as in @astrojs/markdown-remark: the validator narrows the values itself.
      frontmatter?: Record<string, any>;
    };
  }
}
