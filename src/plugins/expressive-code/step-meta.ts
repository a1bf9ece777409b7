/**
 * Expressive Code plugin: exposes a fenced block's runbook step id on the rendered block.
 *
 * A fence such as ```` ```text step="install/get-pods-output" of="install/get-pods" ````
 * renders as `<figure class="frame" data-step="install/get-pods-output" data-of="install/get-pods">`.
 * The runbook binds to these ids, tests find blocks by them, and build-time decorations
 * (verification marks, issue 5) attach to them. Readers never see the raw meta: Expressive Code
 * parses `step`/`of` into `metaOptions` and renders nothing for keys no plugin uses.
 *
 * Validation of the ids (present, well-formed, unique, `of` names an earlier step) lives in
 * the runbook's page reader, `scripts/model/page.ts`, which reads the meta with the same parser.
 */
import { definePlugin, type ExpressiveCodePlugin, type MetaOptions } from '@astrojs/starlight/expressive-code';
import { setProperty } from '@astrojs/starlight/expressive-code/hast';

/** The step binding of one fenced block, read from its fence meta. */
interface StepMeta {
  /** Stable step id, e.g. `strict-arp/apply`. */
  step: string;
  /** For an output or edited-spec block: the step id of the command it belongs to. */
  of: string | undefined;
}

/** Reads `step` and `of` from a block's parsed fence meta; `undefined` for a block without `step`. */
export function readStepMeta(meta: MetaOptions): StepMeta | undefined {
  const step = meta.getString('step');
  return step === undefined ? undefined : { step, of: meta.getString('of') };
}

/** Adds `data-step` / `data-of` to the root element (`figure.frame`) of each rendered block. */
export function pluginStepMeta(): ExpressiveCodePlugin {
  return definePlugin({
    name: 'runbook-step-meta',
    hooks: {
      postprocessRenderedBlock: ({ codeBlock, renderData }) => {
        const meta = readStepMeta(codeBlock.metaOptions);
        if (!meta) return;
        setProperty(renderData.blockAst, 'dataStep', meta.step);
        if (meta.of !== undefined) setProperty(renderData.blockAst, 'dataOf', meta.of);
      },
    },
  });
}
