/**
 * Which prefix lengths may hold a prefix containing an address, read in one byte: for each
 * value of a 16-bit window of the address's first word (words.ts), bit i is set when table i
 * (of the first 8 a lookup visits) has a key whose bits in the window can equal it. The window
 * starts after the leading bits every key shares, so prefixes spread over the address space are
 * told apart by their top bits and prefixes inside one /16 by the bits below. A table with a key
 * no longer than the window's start is probed for every address. 64 KB, built once.
 */

/** The window's width: 2^16 one-byte slots. */
const WINDOW = 16;

export class LengthFilter {
  /** The window's first bit (0 = the most significant). */
  readonly start: number;
  /** The tables probed whatever the address. */
  private readonly always: number;
  private readonly slots = new Uint8Array(1 << WINDOW);

  /** `lengths[i]`: table i's prefix length; `firstWords[i]`: its keys' first words (host bits clear). At most 8 tables. */
  constructor(lengths: readonly number[], firstWords: readonly (readonly number[])[]) {
    if (lengths.length > 8 || firstWords.length !== lengths.length) throw new Error(`LengthFilter: at most 8 tables, each with its keys (got ${lengths.length} lengths, ${firstWords.length} key lists)`);
    let differ = 0;
    const first = firstWords.find((ws) => ws.length > 0)?.[0] ?? 0;
    for (const ws of firstWords) for (const w of ws) differ |= w ^ first;
    this.start = Math.min(32 - WINDOW, Math.clz32(differ));
    let always = 0;
    for (let i = 0; i < lengths.length; i++) {
      const length = Math.min(32, lengths[i]!);
      if (length <= this.start) {
        always |= 1 << i;
        continue;
      }
      // A key shorter than the window's end leaves its low window bits free: it is near every value of them.
      const span = 1 << Math.max(0, this.start + WINDOW - length);
      for (const w of firstWords[i]!) {
        const from = this.slotOf(w);
        for (let s = from; s < from + span; s++) this.slots[s]! |= 1 << i;
      }
    }
    this.always = always;
  }

  private slotOf(word: number): number {
    return (word << this.start) >>> (32 - WINDOW);
  }

  /** Bit i set: table i may hold a prefix containing an address with this first word. */
  near(word: number): number {
    return this.slots[(word << this.start) >>> (32 - WINDOW)]! | this.always;
  }
}
