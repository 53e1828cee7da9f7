/**
 * A short, safe rendering of untrusted input for error messages. JSON.stringify of a client's
 * value can throw (5,000 nested arrays overflow the stack) or echo 60 KB back; `preview` walks at
 * most a few levels and a few items, and caps its output, so an error message never fails or grows
 * with its input. Every message that quotes client input (HTTP targets, WebSocket messages) uses it.
 */

/** Levels shown before a container is written as `[…]` or `{…}`. */
const MAX_DEPTH = 3;
/** Items shown per container. */
const MAX_ITEMS = 8;

/** `text` cut to `maxChars` characters (the last one `…`) when longer: for text that is shown as is. */
export function clip(text: string, maxChars: number): string {
  return text.length > maxChars ? `${text.slice(0, Math.max(0, maxChars - 1))}…` : text;
}

/** JSON-like text of `value`, at most `maxChars` characters (cut with `…`). */
export function preview(value: unknown, maxChars = 80): string {
  return clip(write(value, 0, maxChars + 1), maxChars);
}

/** `budget`: characters still wanted; writing stops soon after it is spent. */
function write(value: unknown, depth: number, budget: number): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > budget ? value.slice(0, budget) : value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
      return 'undefined';
    case 'object':
      break;
    default:
      return typeof value;
  }
  if (value === null) return 'null';
  const isArray = Array.isArray(value);
  const [openCh, closeCh] = isArray ? ['[', ']'] : ['{', '}'];
  if (depth >= MAX_DEPTH) return `${openCh}…${closeCh}`;
  // Only the first few keys are read (an object of 10,000 keys costs no more than one of 8).
  const keys: (string | number)[] = [];
  if (isArray) for (let i = 0; i < Math.min((value as unknown[]).length, MAX_ITEMS + 1); i++) keys.push(i);
  else for (const k in value) if (Object.hasOwn(value, k) && keys.push(k) > MAX_ITEMS) break;
  let out = openCh;
  for (const [shown, key] of keys.entries()) {
    if (shown === MAX_ITEMS || out.length >= budget) return `${out}${shown > 0 ? ',' : ''}…${closeCh}`;
    if (shown > 0) out += ',';
    if (!isArray) out += `${write(key, MAX_DEPTH, budget - out.length)}:`;
    out += write((value as Record<string | number, unknown>)[key], depth + 1, budget - out.length);
  }
  return out + closeCh;
}
