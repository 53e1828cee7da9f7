// What every benchmark measures with: heap after a full collection (run with --expose-gc, as
// `npm run bench` does; without it the figure includes garbage) and the median of repetitions.
const gc = (globalThis as { gc?: () => void }).gc;

/** Heap in use after collecting twice (the first pass can leave garbage found only by finalisation). */
export function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

/** Whether heap figures are after a collection ('gc') or include garbage ('no-gc'). */
export const heapMeasure = (): string => (gc ? 'gc' : 'no-gc (run with --expose-gc)');

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
