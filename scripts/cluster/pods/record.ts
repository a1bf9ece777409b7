import fs from 'node:fs';
import path from 'node:path';
import { writeAtomic } from '../../lib/fs.ts';
import type { Daemon } from './launch.ts';
import type { PodsPaths } from './layout.ts';

/**
 * What `up` has created so far, written after every step: a failed or interrupted `up`, and `down`,
 * undo exactly this (daemons, host paths created, namespaces) and nothing else.
 */
interface Created {
  daemons: Daemon[];
  /** Host paths that did not exist before (namespace files, mount points), in creation order. */
  paths: string[];
  /** The node namespace's pid holding the mount namespace (our pause), once started. */
  holder?: number;
}

const file = (pp: PodsPaths) => path.join(pp.root, 'created.json');

/** What `up` recorded; a daemon recorded without a start time (an older file) is dated by the file. */
export function readCreated(pp: PodsPaths): Created {
  try {
    const created = JSON.parse(fs.readFileSync(file(pp), 'utf8')) as Created;
    const writtenAt = fs.statSync(file(pp)).mtimeMs;
    return { ...created, daemons: created.daemons.map((d) => (d.start === undefined ? { ...d, writtenAt } : d)) };
  } catch {
    return { daemons: [], paths: [] };
  }
}

/** Records what `up` creates: `change` edits the record, which is saved at once. */
export function recorder(pp: PodsPaths): (change: (created: Created) => unknown) => void {
  const created = readCreated(pp);
  return (change) => {
    change(created);
    writeAtomic(file(pp), JSON.stringify(created, null, 2) + '\n');
  };
}
