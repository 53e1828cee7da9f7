/**
 * A reader for the plain subset of YAML that generated and large topologies are written in:
 * block maps and lists by indentation, plain and one-line quoted scalars, and one-line flow
 * lists and maps. It builds what js-yaml builds (core schema: its own resolvers type each plain
 * scalar) 4-5× faster and with fewer short-lived objects, and answers undefined for anything
 * outside the subset (anchors, tags, block scalars, multi-line scalars or flows, duplicate or
 * non-text keys, tabs, unusual characters...), where js-yaml, the reference, reads the text.
 * Property-tested against js-yaml: the same value, or undefined.
 */
import jsYaml from 'js-yaml';
import { APOSTROPHE, BACKSLASH, CLOSE_CURLY, CLOSE_SQUARE, COLON, COMMA, DASH, HASH, NL, OPEN_CURLY, OPEN_SQUARE, QUOTE, SPACE } from './yaml-chars.js';

/** Deeper than this and the reader gives way (js-yaml and the depth checks before it decide). */
const MAX_NESTING = 64;
/** Enough distinct plain scalars for the names that repeat (subnets, groups, services), not every instance's. */
const MAX_CACHED = 4096;
/** YAML limits an implicit key to 1024 characters; longer keys are left to js-yaml. */
const MAX_KEY = 1000;

/** The value of a document in the subset, or undefined when the text is not (or not only) in it. */
export function readPlainYaml(text: string): object | undefined {
  try {
    return new Reader(text).document();
  } catch (e) {
    if (e === OUTSIDE) return undefined;
    throw e;
  }
}

/** Thrown (and caught above) wherever the text leaves the subset. */
const OUTSIDE = new Error('outside the plain YAML subset');
function outside(): never {
  throw OUTSIDE;
}


/** Per ASCII code: 1 a character a key may hold here, 2 a flow indicator, 4 a character that may not start a plain scalar, 8 a character that is never read here (controls, tab, DEL). */
const KEY = 1;
const FLOW = 2;
const NOT_FIRST = 4;
const NEVER = 8;
const ASCII = new Uint8Array(128);
for (let c = 0; c < 0x20; c++) ASCII[c] = NEVER;
ASCII[0x7f] = NEVER;
for (const ch of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-/@') ASCII[ch.charCodeAt(0)]! |= KEY;
for (const ch of ',[]{}') ASCII[ch.charCodeAt(0)]! |= FLOW | NOT_FIRST;
for (const ch of '#&*!|>\'"%@`?:-') ASCII[ch.charCodeAt(0)]! |= NOT_FIRST;

/**
 * Characters beyond ASCII that js-yaml reads as they are: no C1 controls (NEL included), no
 * surrogates (a lone one is refused there; pairs are left to it), no BOM, U+FFFE or U+FFFF.
 */
const plainWide = (c: number): boolean => (c >= 0xa0 && c < 0xd800) || (c >= 0xe000 && c < 0xfffe && c !== 0xfeff);

/** js-yaml's implicit types of its core schema, in its order: null, bool, int, float. */
const IMPLICIT = (jsYaml.CORE_SCHEMA as unknown as { compiledImplicit: readonly jsYaml.Type[] }).compiledImplicit;
if (!Array.isArray(IMPLICIT) || IMPLICIT.length === 0) throw new Error('fast-yaml: js-yaml no longer exposes its core schema\'s implicit types');

/** A plain scalar's value, as js-yaml's core schema types it. */
function resolvePlain(s: string): unknown {
  const c = s.charCodeAt(0);
  // Beginning with a letter, only the words of null and bool are not text.
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) {
    if (c !== 0x6e && c !== 0x4e && c !== 0x74 && c !== 0x54 && c !== 0x66 && c !== 0x46) return s;
    switch (s) {
      case 'null': case 'Null': case 'NULL': return null;
      case 'true': case 'True': case 'TRUE': return true;
      case 'false': case 'False': case 'FALSE': return false;
      default: return s;
    }
  }
  for (const type of IMPLICIT) if (type.resolve(s)) return type.construct(s);
  return s;
}

class Reader {
  private readonly text: string;
  private readonly end: number;
  /** The current content line: where it starts, its indentation, where its content starts; line === end at the end. */
  private line = 0;
  private indent = 0;
  private depth = 0;
  /**
   * The items of the lists being read, innermost last: a list is copied out at its end at its
   * exact length (a list grown by push keeps room for 17 items, most of 100 MB at 100,000 instances).
   */
  private readonly items: unknown[] = [];
  /** Plain scalars already typed, by their text: the names and services that repeat are one string each. */
  private readonly scalars = new Map<string, unknown>();

  constructor(text: string) {
    this.text = text;
    this.end = text.length;
  }

  document(): object {
    this.seekContent(0);
    if (this.line === this.end || this.indent !== 0) outside();
    const value = this.blockNode(0);
    if (this.line !== this.end || Array.isArray(value)) outside();
    return value as object;
  }

  /** From `from` (a line's start), to the first line with content (not blank, not only a comment). */
  private seekContent(from: number): void {
    const { text, end } = this;
    let i = from;
    while (i < end) {
      let j = i;
      while (j < end && text.charCodeAt(j) === SPACE) j++;
      const c = j < end ? text.charCodeAt(j) : NL;
      if (c === NL) { i = j + 1; continue; }
      if (c === HASH) { i = this.comment(j) + 1; continue; }
      // Document markers and directives are left to js-yaml.
      if (j === i && (c === 0x25 || ((c === DASH || c === 0x2e) && text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === c))) outside();
      this.line = i;
      this.indent = j - i;
      return;
    }
    this.line = end;
    this.indent = -1;
  }

  /** A comment from its "#" to its line's end (returned); its characters are checked as js-yaml checks the whole text. */
  private comment(from: number): number {
    const { text } = this;
    let j = text.indexOf('\n', from);
    if (j === -1) j = this.end;
    for (let k = from; k < j; k++) {
      const c = text.charCodeAt(k);
      if (c < 0x80 ? (ASCII[c]! & NEVER) !== 0 : !plainWide(c)) outside();
    }
    return j;
  }

  /** The rest of a line after a value: blanks and perhaps a comment. Then the next content line. */
  private endOfLine(at: number): void {
    const { text } = this;
    let i = at;
    while (i < this.end && text.charCodeAt(i) === SPACE) i++;
    if (i < this.end && text.charCodeAt(i) !== NL) {
      if (text.charCodeAt(i) !== HASH || i === at) outside();
      i = this.comment(i);
    }
    this.seekContent(i + 1);
  }

  private enter(): void {
    if (++this.depth > MAX_NESTING) outside();
  }

  /** The block node whose first line is the current one, at its indentation. */
  private blockNode(indent: number): unknown {
    const at = this.line + indent;
    const c = this.text.charCodeAt(at);
    if (c === DASH && this.isBlankOrEnd(at + 1)) return this.blockSeq(indent);
    return this.blockMap(indent, at);
  }

  private isBlankOrEnd(i: number): boolean {
    if (i >= this.end) return true;
    const c = this.text.charCodeAt(i);
    return c === SPACE || c === NL;
  }

  /** A block map whose keys start at column `indent`; the first at `first` (after a "- " for a map in a list). */
  private blockMap(indent: number, first: number): object {
    this.enter();
    const map: Record<string, unknown> = {};
    let at = first;
    for (;;) {
      const colon = this.keyEnd(at);
      if (colon < 0) outside();
      const key = this.key(at, colon);
      if (Object.hasOwn(map, key)) outside();
      let i = colon + 1;
      while (i < this.end && this.text.charCodeAt(i) === SPACE) i++;
      const c = i < this.end ? this.text.charCodeAt(i) : NL;
      let value: unknown;
      if (c === NL || (c === HASH && i > colon + 1)) {
        this.endOfLine(colon + 1);
        if (this.line < this.end && this.indent > indent) value = this.blockNode(this.indent);
        else if (this.line < this.end && this.indent === indent && this.startsSeqItem()) value = this.blockSeq(indent);
        else value = null;
      } else {
        // A deeper line next would continue a plain scalar or be an error: refused below.
        value = this.inline(i, false);
        this.endOfLine(this.pos);
      }
      map[key] = value;
      if (this.line === this.end || this.indent < indent) break;
      if (this.indent > indent) outside();
      at = this.line + indent;
    }
    this.depth--;
    return map;
  }

  private startsSeqItem(): boolean {
    const at = this.line + this.indent;
    return this.text.charCodeAt(at) === DASH && this.isBlankOrEnd(at + 1);
  }

  /** Where a key that starts at `at` ends (its ":" followed by a blank or the line's end), or -1. */
  private keyEnd(at: number): number {
    const { text } = this;
    let i = at;
    while (i < this.end) {
      const c = text.charCodeAt(i);
      if (c >= 0x80 || (ASCII[c]! & KEY) === 0) break;
      i++;
    }
    if (i === at || i - at > MAX_KEY || text.charCodeAt(i) !== COLON || !this.isBlankOrEnd(i + 1)) return -1;
    return i;
  }

  /** A key's text: it must be text in the core schema too (1, true, null... are left to js-yaml). */
  private key(from: number, to: number): string {
    const key = this.text.slice(from, to);
    const c = key.charCodeAt(0);
    // Indicators may not start a key ("@", "-" alone); "-x" may.
    if ((ASCII[c]! & NOT_FIRST) !== 0 && (c !== DASH || to - from === 1)) outside();
    if (key === '__proto__' || resolvePlain(key) !== key) outside();
    return key;
  }

  /** A block list whose "-" are at column `indent`. */
  private blockSeq(indent: number): unknown[] {
    this.enter();
    const list = this.items;
    const start = list.length;
    for (;;) {
      const dash = this.line + indent;
      let i = dash + 1;
      while (i < this.end && this.text.charCodeAt(i) === SPACE) i++;
      const c = i < this.end ? this.text.charCodeAt(i) : NL;
      if (c === NL || (c === HASH && i > dash + 1)) {
        this.endOfLine(dash + 1);
        list.push(this.line < this.end && this.indent > indent ? this.blockNode(this.indent) : null);
      } else if (this.keyEnd(i) >= 0) {
        list.push(this.blockMap(i - this.line, i));
      } else {
        if (c === DASH && this.isBlankOrEnd(i + 1)) outside();
        list.push(this.inline(i, false));
        this.endOfLine(this.pos);
      }
      // A deeper line is left to the map this list is in, which refuses it (a list is never the document).
      if (this.line === this.end || this.indent !== indent || !this.startsSeqItem()) break;
    }
    this.depth--;
    return this.listFrom(start);
  }

  /** Where the last inline value ended. */
  private pos = 0;

  /** A scalar or a one-line flow collection starting at `at`; sets pos to just after it. */
  private inline(at: number, flow: boolean): unknown {
    const c = this.text.charCodeAt(at);
    if (c === QUOTE) return this.doubleQuoted(at);
    if (c === APOSTROPHE) return this.singleQuoted(at);
    if (c === OPEN_SQUARE) return this.flowSeq(at);
    if (c === OPEN_CURLY) return this.flowMap(at);
    const raw = this.plain(at, flow);
    let value = this.scalars.get(raw);
    if (value === undefined) {
      value = resolvePlain(raw);
      if (this.scalars.size < MAX_CACHED) this.scalars.set(raw, value);
    }
    return value;
  }

  /** A plain scalar's text, on one line; sets pos to its end (trailing blanks not included). */
  private plain(at: number, flow: boolean): string {
    const { text } = this;
    if (at >= this.end) outside();
    const first = text.charCodeAt(at);
    if (first < 0x80 && (ASCII[first]! & (NOT_FIRST | NEVER)) !== 0) {
      // "-" may start a scalar when something other than a blank or a flow indicator follows (-1, -x).
      const next = text.charCodeAt(at + 1);
      if (first !== DASH || this.isBlankOrEnd(at + 1) || (next < 0x80 && (ASCII[next]! & (FLOW | NEVER)) !== 0)) outside();
    }
    let i = at;
    let last = at;
    while (i < this.end) {
      const c = text.charCodeAt(i);
      if (c === NL) break;
      if (c < 0x80) {
        const k = ASCII[c]!;
        if ((k & NEVER) !== 0) outside();
        if (c === COLON) {
          // ": " would make a key here (or be an error): js-yaml decides.
          const next = text.charCodeAt(i + 1);
          if (this.isBlankOrEnd(i + 1) || (flow && next < 0x80 && (ASCII[next]! & FLOW) !== 0)) outside();
        } else if (c === HASH) {
          if (text.charCodeAt(i - 1) === SPACE) {
            if (flow) outside();
            break;
          }
        } else if (flow && (k & FLOW) !== 0) {
          break;
        }
        if (c !== SPACE) last = i + 1;
      } else if (!plainWide(c)) {
        outside();
      } else {
        last = i + 1;
      }
      i++;
    }
    this.pos = last;
    return text.slice(at, last);
  }

  private singleQuoted(at: number): string {
    const { text } = this;
    let out = '';
    let from = at + 1;
    let i = from;
    for (;;) {
      if (i >= this.end) outside();
      const c = text.charCodeAt(i);
      if (c === APOSTROPHE) {
        out += text.slice(from, i);
        if (text.charCodeAt(i + 1) !== APOSTROPHE) break;
        out += "'";
        i += 2;
        from = i;
        continue;
      }
      if (c < 0x80 ? (ASCII[c]! & NEVER) !== 0 : !plainWide(c)) outside();
      i++;
    }
    this.pos = i + 1;
    return out;
  }

  private doubleQuoted(at: number): string {
    const { text } = this;
    let out = '';
    let from = at + 1;
    let i = from;
    for (;;) {
      if (i >= this.end) outside();
      const c = text.charCodeAt(i);
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        out += text.slice(from, i);
        const [chars, length] = this.escape(i + 1);
        out += chars;
        i += 1 + length;
        from = i;
        continue;
      }
      if (c < 0x80 ? (ASCII[c]! & NEVER) !== 0 : !plainWide(c)) outside();
      i++;
    }
    out += text.slice(from, i);
    this.pos = i + 1;
    return out;
  }

  /** An escape after a backslash: its characters and how many it took; the rarer ones are js-yaml's. */
  private escape(at: number): [string, number] {
    const c = this.text.charCodeAt(at);
    const simple = SIMPLE_ESCAPES.get(c);
    if (simple !== undefined) return [simple, 1];
    const digits = c === 0x78 ? 2 : c === 0x75 ? 4 : 0;
    if (digits === 0) outside();
    const hex = this.text.slice(at + 1, at + 1 + digits);
    if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== digits) outside();
    const code = parseInt(hex, 16);
    if (code >= 0xd800 && code < 0xe000) outside();
    return [String.fromCharCode(code), 1 + digits];
  }

  private flowSeq(at: number): unknown[] {
    this.enter();
    const list = this.items;
    const start = list.length;
    let i = this.skipSpaces(at + 1);
    if (this.text.charCodeAt(i) === CLOSE_SQUARE) {
      this.pos = i + 1;
      this.depth--;
      return [];
    }
    do list.push(this.inline(i, true));
    while ((i = this.nextFlowEntry(CLOSE_SQUARE)) >= 0);
    this.depth--;
    return this.listFrom(start);
  }

  /**
   * After an entry of a flow collection: -1 at the collection's closing bracket (`pos` past
   * it), else where the next entry starts. Anything else — an empty entry, a trailing comma,
   * the line's end — is js-yaml's to decide.
   */
  private nextFlowEntry(close: number): number {
    let i = this.skipSpaces(this.pos);
    const c = this.text.charCodeAt(i);
    if (c === close) {
      this.pos = i + 1;
      return -1;
    }
    if (c !== COMMA) outside();
    i = this.skipSpaces(i + 1);
    const next = this.text.charCodeAt(i);
    if (next === COMMA || next === CLOSE_SQUARE || next === CLOSE_CURLY || i >= this.end || next === NL) outside();
    return i;
  }

  /** The items pushed since `start`, as a list of their exact length; the stack is cut back. */
  private listFrom(start: number): unknown[] {
    const { items } = this;
    const n = items.length - start;
    // Literals for the short lists that most are: V8 tracks their allocation sites, so that it
    // may allocate them straight in the old generation once it sees they all survive.
    const list = n === 1 ? [items[start]] : n === 2 ? [items[start], items[start + 1]] : n === 3 ? [items[start], items[start + 1], items[start + 2]] : items.slice(start);
    items.length = start;
    return list;
  }

  private flowMap(at: number): object {
    this.enter();
    const map: Record<string, unknown> = {};
    let i = this.skipSpaces(at + 1);
    if (this.text.charCodeAt(i) === CLOSE_CURLY) {
      this.pos = i + 1;
      this.depth--;
      return map;
    }
    do {
      const colon = this.keyEnd(i);
      // Only "key: value" (a blank after the colon) with a value on the same line.
      if (colon < 0 || this.text.charCodeAt(colon + 1) !== SPACE) outside();
      const key = this.key(i, colon);
      if (Object.hasOwn(map, key)) outside();
      const v = this.skipSpaces(colon + 1);
      const first = this.text.charCodeAt(v);
      if (first === COMMA || first === CLOSE_CURLY || first === NL || v >= this.end) outside();
      map[key] = this.inline(v, true);
    } while ((i = this.nextFlowEntry(CLOSE_CURLY)) >= 0);
    this.depth--;
    return map;
  }

  private skipSpaces(from: number): number {
    let i = from;
    while (i < this.end && this.text.charCodeAt(i) === SPACE) i++;
    return i;
  }
}

const SIMPLE_ESCAPES = new Map<number, string>([
  [0x5c, '\\'], [0x22, '"'], [0x2f, '/'], [0x6e, '\n'], [0x74, '\t'], [0x72, '\r'], [0x30, '\0'],
  [0x62, '\b'], [0x66, '\f'], [0x76, '\v'], [0x61, '\x07'], [0x65, '\x1b'],
]);
