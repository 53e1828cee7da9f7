/**
 * A read-only map whose values are built the first time they are asked for. The simulator's
 * nodes, wires and port firewalls are tables of this kind: a one-shot trace in a cloud of
 * 100,000 instances touches a few dozen of them, and building every one took seconds.
 * Iterating (values, entries, forEach) builds everything, in key order.
 */
export class LazyMap<K, V> implements ReadonlyMap<K, V> {
  private readonly built = new Map<K, V>();
  private keyList: readonly K[] | undefined;

  /**
   * @param listKeys every key, in iteration order (asked only when the map is iterated or sized)
   * @param make the value of a key, or undefined for a key the map does not hold; called at most once per key it holds
   */
  constructor(private readonly listKeys: () => readonly K[], private readonly make: (key: K) => V | undefined) {}

  get(key: K): V | undefined {
    let v = this.built.get(key);
    if (v === undefined && !this.built.has(key)) {
      v = this.make(key);
      if (v !== undefined) this.built.set(key, v);
    }
    return v;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  /** How many values have been built so far (for tests and benchmarks). */
  get builtCount(): number {
    return this.built.size;
  }

  private allKeys(): readonly K[] {
    return (this.keyList ??= this.listKeys());
  }

  get size(): number {
    return this.allKeys().length;
  }

  keys(): MapIterator<K> {
    return this.allKeys()[Symbol.iterator]() as MapIterator<K>;
  }

  *values(): MapIterator<V> {
    for (const k of this.allKeys()) yield this.get(k)!;
  }

  *entries(): MapIterator<[K, V]> {
    for (const k of this.allKeys()) yield [k, this.get(k)!];
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  forEach(fn: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const k of this.allKeys()) fn.call(thisArg, this.get(k)!, k, this);
  }
}
