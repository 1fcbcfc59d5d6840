import { randomUUID } from "node:crypto";
import { safeKeyPart } from "../domain/keys";
import { ConcurrentModificationError, type KeyValueStore, type Versioned } from "../ports/key-value-store";
import { containers } from "./containers";

export type LeaseValue = { owner: string; acquiredAt: string; expiresAt: string };

export class LeaseLostError extends Error {
  constructor(readonly name_: string) {
    super(`lease ${name_} was taken over by another run`);
    this.name = "LeaseLostError";
  }
}

/**
 * A lease in custom objects, so two job runs (two Connect instances, a cron
 * run and an on-demand one) never work at once. Every write carries the
 * version it read: create is `version: 0` (refused when it exists), takeover
 * of an expired lease and renewal are compare-and-set, so of two contenders
 * exactly one wins. Release expires the lease (version-checked) instead of
 * deleting it: a delete has no version and could remove a successor's lease.
 */
export class Lease {
  private current: Versioned<LeaseValue> | undefined;
  readonly owner = randomUUID();

  constructor(
    private readonly store: KeyValueStore,
    private readonly key: string,
    private readonly ttlMs: number,
    private readonly now: () => Date,
  ) {}

  static forConnection(store: KeyValueStore, connection: string, name: string, ttlMs: number, now: () => Date): Lease {
    return new Lease(store, `${safeKeyPart(connection)}_${safeKeyPart(name)}`, ttlMs, now);
  }

  private value(): LeaseValue {
    const at = this.now();
    return { owner: this.owner, acquiredAt: at.toISOString(), expiresAt: new Date(at.getTime() + this.ttlMs).toISOString() };
  }

  /** True when this run now holds the lease; false when someone else holds an unexpired one. */
  async acquire(): Promise<boolean> {
    const existing = await this.store.get<LeaseValue>(containers.leases, this.key);
    if (existing && existing.value.owner !== this.owner && Date.parse(existing.value.expiresAt) > this.now().getTime()) return false;
    try {
      this.current = await this.store.put(containers.leases, this.key, this.value(), existing?.version);
      return true;
    } catch (error) {
      if (error instanceof ConcurrentModificationError) return false;
      throw error;
    }
  }

  /** Extends the lease; throws LeaseLostError when another run took it meanwhile. */
  async renew(): Promise<void> {
    if (!this.current) throw new LeaseLostError(this.key);
    try {
      this.current = await this.store.put(containers.leases, this.key, { ...this.value(), acquiredAt: this.current.value.acquiredAt }, this.current.version);
    } catch (error) {
      if (error instanceof ConcurrentModificationError) throw new LeaseLostError(this.key);
      throw error;
    }
  }

  async release(): Promise<void> {
    if (!this.current) return;
    try {
      await this.store.put(containers.leases, this.key, { ...this.current.value, expiresAt: this.now().toISOString() }, this.current.version);
    } catch (error) {
      if (!(error instanceof ConcurrentModificationError)) throw error;
    }
    this.current = undefined;
  }
}
