/**
 * Terminal styling: colour only on a TTY and when NO_COLOR is unset; plain text otherwise,
 * so piped output and golden files never contain escape codes. The colour functions themselves
 * live below the core (util/style.ts), which renders with whatever style the shell passes in.
 */
import { textStyle, type Style } from '../util/style.js';

export type { Style } from '../util/style.js';

export function styleFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Style {
  return textStyle(Boolean(stream.isTTY) && env['NO_COLOR'] === undefined && env['TERM'] !== 'dumb');
}

/** Visible width of a string that may contain colour codes. */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
export const visibleLength = (s: string): number => s.replace(ANSI, '').length;
