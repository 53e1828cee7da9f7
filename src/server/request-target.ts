/**
 * The target of an HTTP request line, read once and safely. Node's parser passes any target
 * through: origin-form (`/api/topology?token=…`), absolute-form (`http://host:port/ws`), `*` or
 * garbage, and `new URL` throws on some (`http://a:99999/`, `http://[/`). Handlers read the
 * target here, and a target that is not one answers 400 instead of ending the process.
 */
import { preview } from './preview.js';

export type RequestTarget =
  | { readonly ok: true; readonly path: string; readonly query: URLSearchParams }
  | { readonly ok: false; readonly message: string };

const ABSOLUTE = /^[A-Za-z][A-Za-z0-9+.-]*:/;

export function requestTarget(raw: string | undefined): RequestTarget {
  const target = raw ?? '/';
  const bad = (why: string): RequestTarget => ({ ok: false, message: `bad request: the target ${preview(target)} ${why}` });
  let url: URL;
  try {
    // Origin-form is a path on this server: `//x/y` is the path //x/y, never the host x.
    if (target.startsWith('/')) url = new URL(`http://server${target}`);
    else if (ABSOLUTE.test(target)) url = new URL(target);
    else return bad('is neither a path (/api/topology) nor an http:// URL');
  } catch {
    return bad('is not a valid URL (a port over 65535? an unclosed [ ?)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return bad(`has the scheme ${preview(url.protocol)}; expected a path or an http:// URL`);
  return { ok: true, path: url.pathname, query: url.searchParams };
}
