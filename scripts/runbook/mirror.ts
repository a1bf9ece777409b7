import fs from 'node:fs';
import path from 'node:path';
import { fingerprint } from '../model/fingerprint.ts';

/**
 * Offline copies of remote files, laid out as `<dir>/<host>/<path>` (RUNBOOK_MIRROR or --mirror).
 * A URL in a command is served from the mirror when the file is there; kubectl then names the
 * local file in its messages, so outputs are mapped back to the URL before comparing.
 */
export interface Mirror {
  dir: string | undefined;
  /** The command as executed, and the URLs it served from the mirror. */
  rewrite(command: string): { command: string; served: { url: string; file: string }[] };
  /** Puts URLs back where kubectl printed mirror paths. */
  restore(text: string): string;
  /** Fingerprints of every file served so far, by URL (the report's `fingerprints.inputs`). */
  inputs(): Record<string, string>;
}

const URL_IN_COMMAND = /https?:\/\/[^\s'"|;)]+/g;

export function createMirror(dir: string | undefined): Mirror {
  const served = new Map<string, string>();
  return {
    dir,
    rewrite(command) {
      const used: { url: string; file: string }[] = [];
      if (!dir) return { command, served: used };
      const rewritten = command.replace(URL_IN_COMMAND, (url) => {
        const u = new URL(url);
        const file = path.join(dir, u.host, decodeURIComponent(u.pathname));
        if (!fs.existsSync(file)) return url;
        used.push({ url, file });
        served.set(file, url);
        return file;
      });
      return { command: rewritten, served: used };
    },
    inputs() {
      return Object.fromEntries([...served].map(([file, url]) => [url, fingerprint(fs.readFileSync(file))]));
    },
    restore(text) {
      let out = text;
      for (const [file, url] of served) out = out.split(file).join(url);
      return out;
    },
  };
}

/** URLs a command would fetch (for hints when one cannot be reached). */
export function urlsIn(command: string): string[] {
  return command.match(URL_IN_COMMAND) ?? [];
}
