/**
 * Problems found in a topology are data, not exceptions: every one carries its place (file,
 * line, column, path in the document), a stable code for tests, and a message that says what
 * was found and what was expected. Loading collects all of them before it reports.
 */
export type PathSegment = string | number;
export type Path = readonly PathSegment[];

export interface Issue {
  readonly severity: 'error' | 'warning';
  readonly code: string;
  readonly path: Path;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly col?: number;
}

/** `instances.web-1.ports[0].subnet`: keys joined by dots, list indexes in brackets. */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out === '' ? '(document)' : out;
}

/** `topologies/x.yaml:12:7 networks.app.subnets.web.cidr: message` */
export function formatIssue(issue: Issue): string {
  const where = [issue.file, issue.line, issue.col].filter((p) => p !== undefined).join(':');
  const tag = issue.severity === 'warning' ? 'warning: ' : '';
  const path = issue.path.length > 0 ? `${formatPath(issue.path)}: ` : '';
  return `${where ? `${where} ` : ''}${path}${tag}${issue.message}`;
}

/** Collects issues in one place while a stage walks the document. */
export class IssueList {
  readonly items: Issue[] = [];
  error(path: Path, code: string, message: string): void {
    this.items.push({ severity: 'error', code, path, message });
  }
  warn(path: Path, code: string, message: string): void {
    this.items.push({ severity: 'warning', code, path, message });
  }
  get hasErrors(): boolean {
    return this.items.some((i) => i.severity === 'error');
  }
}

/** Quote a value the way it appeared: strings in quotes, anything else as JSON. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return String(value);
}
