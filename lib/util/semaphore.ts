/** Limits how many async jobs run at once (forks across hosts, channels on one SSH session). */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`a semaphore needs a limit of at least 1, got ${limit}`);
  }

  async use<T>(job: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await job();
    } finally {
      release();
    }
  }

  /** A turn held until the returned function is called (once; later calls do nothing): for a resource that outlives one call. */
  async acquire(): Promise<() => void> {
    // A released turn passes straight to the first waiter (the count stays), so a caller arriving
    // in the same tick cannot take it as well.
    if (this.active >= this.limit) await new Promise<void>((wake) => this.waiting.push(wake));
    else this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    };
  }
}

/** Runs `job` for every item with at most `limit` at once, keeping results in input order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, job: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const semaphore = new Semaphore(Math.max(1, limit));
  return Promise.all(items.map((item, index) => semaphore.use(() => job(item, index))));
}
