/**
 * What a command may touch: two output streams and their styles. Commands take an Io instead
 * of writing to process.stdout, so tests capture output without spawning a process.
 */
import { styleFor, type Style } from './style.js';

export interface Io {
  out(line: string): void;
  err(line: string): void;
  readonly outStyle: Style;
  readonly errStyle: Style;
}

export function processIo(): Io {
  // `vnet trace ... | head` closes the pipe early: stop quietly, as other command-line tools do.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  return {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
    outStyle: styleFor(process.stdout),
    errStyle: styleFor(process.stderr),
  };
}

/** An Io that records lines, for tests. */
export function memoryIo(): Io & { stdout: string[]; stderr: string[] } {
  const plain = styleFor({ isTTY: false });
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), outStyle: plain, errStyle: plain };
}
