/**
 * One load in flight however many callers want the value (a token, the CRM's
 * schema set-up), kept until it expires or is invalidated. A failed load is
 * not kept: the next caller tries again.
 */
export class SingleFlight<T> {
  private current: Promise<T> | undefined;
  private expiresAt = Number.POSITIVE_INFINITY;

  /**
   * @param load fetches the value
   * @param lifetimeMs how long a value may be used (a token's expiry minus a margin); forever when absent
   */
  constructor(
    private readonly load: () => Promise<T>,
    private readonly lifetimeMs?: (value: T) => number,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<T> {
    if (this.current && this.now() >= this.expiresAt) this.current = undefined;
    if (!this.current) {
      const pending = this.load().then((value) => {
        if (this.current === pending) this.expiresAt = this.lifetimeMs ? this.now() + this.lifetimeMs(value) : Number.POSITIVE_INFINITY;
        return value;
      });
      this.current = pending;
      this.expiresAt = Number.POSITIVE_INFINITY;
      pending.catch(() => {
        if (this.current === pending) this.current = undefined;
      });
    }
    return this.current;
  }

  /** Drops the value, unless it is no longer `rejected` (another caller refreshed it already). */
  async invalidate(rejected?: T): Promise<void> {
    const pending = this.current;
    if (!pending) return;
    const value = await pending.catch(() => undefined);
    if (this.current === pending && (rejected === undefined || value === rejected)) this.current = undefined;
  }
}
