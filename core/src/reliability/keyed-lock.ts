/**
 * Tasks holding the same key run one after another, in arrival order, inside
 * this process; tasks with different keys run side by side. An optimisation
 * only: other instances do not see these locks, so what they guard must stay
 * correct without them (re-checks, versioned saves, convergence).
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    return this.runAll([key], task);
  }

  /**
   * Runs the task holding every key. All keys are queued for at once, in sorted
   * order, so two callers sharing keys cannot each hold one the other waits for.
   */
  async runAll<T>(keys: string[], task: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const previous = sorted.map((key) => this.tails.get(key) ?? Promise.resolve());
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const tails = sorted.map((key, i) => {
      const tail = previous[i]!.then(() => done);
      this.tails.set(key, tail);
      return tail;
    });
    await Promise.all(previous);
    try {
      return await task();
    } finally {
      release();
      sorted.forEach((key, i) => {
        if (this.tails.get(key) === tails[i]) this.tails.delete(key);
      });
    }
  }
}
