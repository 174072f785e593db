/**
 * A small least-recently-used cache bounded by bytes, for decoded subblocks: neighbouring
 * inference tiles usually touch the same subblocks, so keeping a few decoded ones avoids
 * decoding them again. Values are promises so concurrent readers share one decode; a
 * rejected promise is dropped so a later read retries. The newest item is always kept, even
 * when it alone exceeds the budget: a file with one huge compressed subblock must not be
 * decoded again for every region read.
 */
export class ByteLru<K, V> {
  private readonly items = new Map<K, { value: Promise<V>; bytes: number }>();
  private total = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: K): Promise<V> | undefined {
    const item = this.items.get(key);
    if (!item) return undefined;
    this.items.delete(key);
    this.items.set(key, item);
    return item.value;
  }

  /** Cache `value` (of `bytes` bytes), evicting the least recently used others as needed. */
  set(key: K, value: Promise<V>, bytes: number): void {
    this.delete(key);
    this.items.set(key, { value, bytes });
    this.total += bytes;
    value.catch(() => {
      if (this.items.get(key)?.value === value) this.delete(key);
    });
    for (const [k, item] of this.items) {
      if (this.total <= this.maxBytes || k === key) break;
      this.items.delete(k);
      this.total -= item.bytes;
    }
  }

  delete(key: K): void {
    const item = this.items.get(key);
    if (!item) return;
    this.items.delete(key);
    this.total -= item.bytes;
  }

  clear(): void {
    this.items.clear();
    this.total = 0;
  }

  get size(): number {
    return this.items.size;
  }
}
