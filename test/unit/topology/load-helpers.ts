/**
 * What the topology tests share: a file's text loaded or refused (the test fails when it goes
 * the other way), and issues as [code, path] pairs, so tests assert codes and places, not wording.
 */
import { formatPath, type Issue } from '../../../src/topology/issue.js';
import { parseTopology } from '../../../src/topology/load.js';
import type { Cloud } from '../../../src/topology/model.js';

/** The errors of a file that must not load. */
export function refused(text: string): readonly Issue[] {
  const r = parseTopology(text, 't.yaml');
  if (r.ok) throw new Error('expected the file to be refused');
  return r.issues.filter((i) => i.severity === 'error');
}

/** The cloud and warnings of a file that must load. */
export function loaded(text: string): { cloud: Cloud; warnings: readonly Issue[] } {
  const r = parseTopology(text, 't.yaml');
  if (!r.ok) throw new Error(r.issues.map((i) => `${formatPath(i.path)}: ${i.code} ${i.message}`).join('\n'));
  return { cloud: r.cloud, warnings: r.warnings };
}
