// Marks of published outbox messages, written together a little later: under load a relay publishes
// many small batches, and one mark write per batch was a third of a checkout's write transactions
// (PostgreSQL) or of payments' MongoDB commands. The keys published and not yet marked are kept in
// memory, and the store leaves them out of its next claims; a graceful close writes them first. A
// crash in the window republishes them with the same message ids (the at-least-once a relay already
// has between a confirm and its mark), and consumers' inboxes drop the duplicates.

/** Published keys kept unmarked at most: past this, a mark waits for the write. */
const MAX_UNMARKED = 1_000;

export class DeferredMarks {
  private readonly unmarked = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;

  /** `write` marks the keys it is given as published; `delayMs` 0 writes each batch at once. */
  constructor(
    private readonly write: (keys: string[]) => Promise<void>,
    private readonly delayMs: number,
  ) {}

  /** Keys published and not yet marked (a claim leaves them out). */
  pending(): string[] {
    return [...this.unmarked];
  }

  async add(keys: string[]): Promise<void> {
    for (const key of keys) this.unmarked.add(key);
    if (this.delayMs <= 0 || this.unmarked.size >= MAX_UNMARKED) return this.flush();
    // A failed write keeps its keys unmarked; the next flush (or the close) tries them again.
    this.timer ??= setTimeout(() => void this.flush().catch(() => {}), this.delayMs);
  }

  /** Marks every key published so far; one write at a time. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.writing) await this.writing.catch(() => {});
    const keys = [...this.unmarked];
    if (keys.length === 0) return;
    this.writing = this.write(keys)
      .then(() => {
        for (const key of keys) this.unmarked.delete(key);
      })
      .finally(() => {
        this.writing = undefined;
      });
    await this.writing;
  }
}
