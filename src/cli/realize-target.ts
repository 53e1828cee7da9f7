/**
 * What `vnet realize` and `vnet conform` both start from: the loaded cloud and the prefix every
 * name they create carries (given, or derived from the cloud's name), or the errors already
 * printed and the exit code.
 */
import { checkPrefix, defaultPrefix } from '../realize/names.js';
import { formatIssue } from '../topology/issue.js';
import type { Cloud } from '../topology/model.js';
import type { Io } from './io.js';
import { loadTopologyFile } from '../files/read-topology.js';

export type RealizeTarget = { readonly ok: true; readonly cloud: Cloud; readonly prefix: string } | { readonly ok: false; readonly code: number };

export function failWith(io: Io): (message: string) => number {
  return (message) => { io.err(io.errStyle.red('error: ') + message); return 1; };
}

export function realizeTarget(file: string, prefixOption: string | undefined, io: Io): RealizeTarget {
  const loaded = loadTopologyFile(file);
  if (!loaded.ok) {
    for (const issue of loaded.issues) io.err(io.errStyle.red('error: ') + formatIssue(issue));
    return { ok: false, code: 1 };
  }
  const prefix = prefixOption ?? defaultPrefix(loaded.cloud.name);
  const bad = checkPrefix(prefix);
  if (bad !== null) return { ok: false, code: failWith(io)(`--prefix ${bad}`) };
  return { ok: true, cloud: loaded.cloud, prefix };
}
