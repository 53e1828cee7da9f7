/**
 * The shell's side of loading, shared by the CLI, the server and the library: read a file from
 * disk and hand its text to the pure loader.
 * A missing or unreadable file is an Issue like any other, never a stack trace.
 */
import { readFileSync } from 'node:fs';
import { parseTopology, type LoadResult } from '../topology/load.js';

export function loadTopologyFile(file: string): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, expected a topology file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    return { ok: false, issues: [{ severity: 'error', code: 'file', path: [], message: `cannot read the file: ${why}`, file }] };
  }
  return parseTopology(text, file);
}
