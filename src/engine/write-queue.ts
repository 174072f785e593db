/**
 * Background band writes: sink writes run one after another, in order, while the engine goes
 * on with the next batch. At most `limit` writes wait; the first failure is kept and
 * reported, and later writes are skipped.
 */
export class WriteQueue {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;
  private failure: { error: unknown } | null = null;

  constructor(private readonly limit = 4) {}

  /** Queue a write; waits first when `limit` writes are already waiting. */
  async push(write: () => Promise<void>): Promise<void> {
    this.check();
    while (this.pending >= this.limit) await this.tail;
    this.check();
    this.pending++;
    this.tail = this.tail.then(async () => {
      try {
        if (!this.failure) await write();
      } catch (error) {
        this.failure ??= { error };
      } finally {
        this.pending--;
      }
    });
  }

  /** Throw the first write failure, if any. */
  check(): void {
    if (this.failure) throw this.failure.error;
  }

  /** Wait for every queued write; throws the first failure. */
  async drain(): Promise<void> {
    await this.tail;
    this.check();
  }
}
