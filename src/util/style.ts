/**
 * Text styling as an interface of colour functions, so that renderers in the core
 * (trace/render.ts) never meet a terminal: the shell decides between ANSI colour and plain text
 * (cli/style.ts looks at the stream and NO_COLOR) and passes the style in.
 */
export interface Style {
  readonly color: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

/** ANSI SGR codes when `color`, the text unchanged otherwise. */
export function textStyle(color: boolean): Style {
  const wrap = (open: number, close: number) => (s: string) => (color ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return { color, bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), cyan: wrap(36, 39) };
}

/** No escape codes: for files, pipes and tests. */
export const plainStyle: Style = textStyle(false);
