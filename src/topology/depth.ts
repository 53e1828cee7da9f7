/**
 * A bound on nesting, checked before any parser recurses. The YAML composers (yaml, js-yaml)
 * recurse once per nested collection; thousands of levels overflow the stack, and near its end
 * V8 may abort the whole process (a regexp compiled there fails with a fatal "Allocation
 * failed" that nothing can catch). A topology needs fewer than 10 levels; deeper is refused
 * with the line and column where the limit is crossed. Every scan here is linear and iterative.
 */
import { Lexer } from 'yaml';
import { AMPERSAND, APOSTROPHE, BACKSLASH, BANG, CLOSE_CURLY, CLOSE_SQUARE, COLON, CR, DASH, HASH, OPEN_CURLY, OPEN_SQUARE, QUESTION, QUOTE, SPACE, TAB } from './yaml-chars.js';

/** Maps and lists inside each other; real topologies use fewer than 10. */
export const MAX_DEPTH = 64;

/** Where nesting first went past MAX_DEPTH (a character offset), or undefined when it never does. */
export function tooDeepJson(text: string): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_SQUARE || c === OPEN_CURLY) {
      if (++depth > MAX_DEPTH) return i;
    } else if ((c === CLOSE_SQUARE || c === CLOSE_CURLY) && depth > 0) {
      depth--;
    }
  }
  return undefined;
}

/**
 * An upper bound on a YAML text's nesting from one pass over its characters, or Infinity when
 * a line is beyond what this pass can bound (then the lexer decides). Block collections nest by
 * column: each starts at a line's indentation or after its leading "- ", "? ", ": " and
 * properties, a child deeper than its parent except a list under a key, so a chain of them is at
 * most 2 × (deepest such column + 1) long. Flow brackets are counted up to a line's comment, on
 * lines without quotes, tags, anchors or block scalars; such a line must close every bracket it
 * opens and never close more than it opened. Then no structural bracket stays open at a line's
 * end (a bracket inside a plain scalar could only make the count go negative first), and the
 * running count bounds the flow depth within the line. The bound holds for any YAML parser.
 */
export function quickYamlBound(text: string): number {
  let deepestColumn = 0;
  let deepestFlow = 0;
  let start = 0;
  /** Whether a quote has been seen: until then no quoted scalar is open, so " #" starts a comment. */
  let quoted = false;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    let i = start;
    for (;;) {
      while (i < end && isBlank(text.charCodeAt(i))) i++;
      const c = text.charCodeAt(i);
      if (i < end && (c === DASH || c === QUESTION || c === COLON) && (i + 1 === end || isBlank(text.charCodeAt(i + 1)))) {
        i++;
      } else if (i < end && (c === AMPERSAND || c === BANG)) {
        while (i < end && !isBlank(text.charCodeAt(i))) i++;
      } else if (text.startsWith('---', i) && (i + 3 === end || isBlank(text.charCodeAt(i + 3)))) {
        i += 3;
      } else {
        break;
      }
    }
    deepestColumn = Math.max(deepestColumn, i - start);
    let flow = 0;
    let hasBracket = false;
    let hasOther = false;
    // Brackets after a comment mark are not counted, but still make the line need the lexer
    // if it has a quote anywhere (the mark may be inside a string the line ends). Before the
    // text's first quote no string can be open: the rest of the line is a comment (or a block
    // scalar's text), ignored whole, so `{ ip: 192.0.2.99 }  # the group's` stays on the fast path.
    let comment = false;
    for (let j = start; j < end; j++) {
      const c = text.charCodeAt(j);
      // One table look-up for the many characters that matter to none of the cases.
      const kind = c < 0x80 ? SCAN[c]! : PLAIN;
      if (kind === PLAIN) continue;
      if (kind === OPENS) {
        hasBracket = true;
        if (!comment) deepestFlow = Math.max(deepestFlow, ++flow);
      } else if (kind === CLOSES) {
        hasBracket = true;
        if (!comment && --flow < 0) return Infinity;
      } else if (kind === MARK) {
        if (j === start || isBlank(text.charCodeAt(j - 1))) {
          if (!quoted) break;
          comment = true;
        }
      } else {
        hasOther = true;
        if (c === QUOTE || c === APOSTROPHE) quoted = true;
      }
    }
    if (hasBracket && (hasOther || flow !== 0)) return Infinity;
    if (2 * (deepestColumn + 1) + deepestFlow > MAX_DEPTH) return Infinity;
    start = end + 1;
  }
  return 2 * (deepestColumn + 1) + deepestFlow;
}

/**
 * The nesting as yaml's own lexer sees it (it is iterative; the composer is what recurses), for
 * texts the quick bound cannot clear; those are then parsed by yaml alone, whose view this is:
 * flow brackets exactly, block collections by the columns where each line's nodes start (a
 * list at its parent key's column counts as a level of its own). Returns the offset of the
 * token where the depth first passes MAX_DEPTH.
 */
export function lexedYamlDepth(text: string): number | undefined {
  const stack: { col: number; seq: boolean }[] = [];
  let flow = 0;
  let offset = 0;
  let lineStart = 0;
  /** While a line's leading indicators and its first node are being read. */
  let leading = true;
  let scalarFollows = false;
  let flowIsNode = false;
  let blockScalar = false;
  const open = (col: number, seq: boolean): void => {
    while (stack.length > 0 && stack[stack.length - 1]!.col > col) stack.pop();
    const top = stack[stack.length - 1];
    if (top && top.col === col) {
      const below = stack[stack.length - 2];
      if (!top.seq && seq) stack.push({ col, seq });
      else if (top.seq && !seq && below?.col === col) stack.pop();
    } else {
      stack.push({ col, seq });
    }
  };
  for (const token of new Lexer().lex(text)) {
    const at = offset;
    // The scanner's control tokens stand for no text; a scalar's text follows its marker.
    if (token === '\x02' || token === '\x18') continue;
    if (token === '\x1f') {
      // A block scalar's text starts a line but is no node there (its header was the node).
      if (flow === 0 && leading && !blockScalar) { open(at - lineStart, false); leading = false; }
      blockScalar = false;
      scalarFollows = true;
      continue;
    }
    offset += token.length;
    const newline = token.lastIndexOf('\n');
    if (scalarFollows) {
      scalarFollows = false;
    } else if (token === '[' || token === '{') {
      // A collection that starts a line's node is that node: counted once, as flow.
      if (flow === 0) flowIsNode = leading;
      if (flow === 0 && leading) { open(at - lineStart, false); leading = false; }
      flow++;
    } else if (token[0] === '|' || token[0] === '>') {
      blockScalar = flow === 0;
    } else if (token === ']' || token === '}') {
      if (flow > 0) flow--;
    } else if (token === '---' || token === '...') {
      stack.length = 0;
      flow = 0;
    } else if (flow === 0 && leading) {
      const first = token.charCodeAt(0);
      if (token === '-' || token === '?' || token === ':') {
        open(at - lineStart, token === '-');
      } else if (token !== '' && !NOT_A_NODE.has(first)) {
        open(at - lineStart, false);
        leading = false;
      }
    }
    if (stack.length + flow - (flow > 0 && flowIsNode ? 1 : 0) > MAX_DEPTH) return at;
    if (newline !== -1 || token === '') {
      lineStart = at + newline + 1;
      leading = true;
    }
  }
  return undefined;
}

/** Tokens that may lead a line without being its node: blanks, line ends, comments, properties. */
const NOT_A_NODE = new Set([...' \t\r\n#&!'].map((c) => c.charCodeAt(0)));

const isBlank = (c: number): boolean => c === SPACE || c === TAB || c === CR;

/** Characters after which a bracket on the same line may not be structural, or may be hidden. */
const OPAQUE = '"\'!&*|>%@`';
/** quickYamlBound's view of each ASCII character: brackets, the comment mark, OPAQUE, or nothing to it. */
const PLAIN = 0;
const OPENS = 1;
const CLOSES = 2;
const MARK = 3;
const HIDES = 4;
const SCAN = new Uint8Array(0x80);
SCAN[OPEN_SQUARE] = OPENS;
SCAN[OPEN_CURLY] = OPENS;
SCAN[CLOSE_SQUARE] = CLOSES;
SCAN[CLOSE_CURLY] = CLOSES;
SCAN[HASH] = MARK;
for (const ch of OPAQUE) SCAN[ch.charCodeAt(0)] = HIDES;
