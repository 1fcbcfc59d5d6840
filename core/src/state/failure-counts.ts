import type { ErrorClass } from "../domain/errors";
import type { Failure } from "../domain/failure";
import type { Direction } from "../domain/keys";
import { ConcurrentModificationError, type KeyValueStore } from "../ports/key-value-store";
import { containers } from "./containers";

/** States that need someone or something to act: the ones counted. */
export const activeStates = ["open", "retrying"] as const;
type ActiveState = (typeof activeStates)[number];

/** Failure entries per direction, active state and error class, for one connection (one small custom object). */
export type FailureCounts = {
  connection: string;
  counts: Partial<Record<Direction, Partial<Record<ActiveState, Partial<Record<ErrorClass, number>>>>>>;
  /** When the counts were last taken from the entries themselves (a recount). */
  recountedAt?: string;
};

type Counted = Pick<Failure, "connection" | "direction" | "state" | "errorClass">;

/** Writes of the counts tried before a change is left to the hourly recount. */
const maxAttempts = 20;
const isActive = (state: string): state is ActiveState => (activeStates as readonly string[]).includes(state);

/**
 * Keeps FailureCounts up to date with each change of an entry: the status
 * page reads one object instead of every open entry. Changes made at about
 * the same time are added up and written together (one read-modify-write,
 * re-run when another instance wrote in between), so a batch of failures
 * costs a few writes of the counts, not one each.
 */
export class FailureCounter {
  private pending = new Map<string, number>();
  private flushing: Promise<void> | undefined;

  constructor(private readonly store: KeyValueStore) {}

  static key(connection: string): string {
    return `counts-${connection}`;
  }

  read(connection: string) {
    return this.store.get<FailureCounts>(containers.failureCounts, FailureCounter.key(connection));
  }

  /** Counts the change of one entry from `before` to `after` (either absent). */
  async change(before: Counted | undefined, after: Counted | undefined): Promise<void> {
    const move = (entry: Counted | undefined, by: number) => {
      if (!entry || !isActive(entry.state)) return;
      const key = JSON.stringify([entry.connection, entry.direction, entry.state, entry.errorClass]);
      this.pending.set(key, (this.pending.get(key) ?? 0) + by);
    };
    move(before, -1);
    move(after, 1);
    for (const [key, by] of this.pending) if (by === 0) this.pending.delete(key);
    if (this.pending.size === 0) return;
    // Changes arriving while a write is under way are taken by the next one (whatever became of that one).
    while (this.flushing) await this.flushing.catch(() => undefined);
    if (this.pending.size === 0) return;
    this.flushing = this.flush().finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  /** Replaces the counts of a connection with those taken from its entries. */
  async replace(connection: string, counts: FailureCounts["counts"], at: string): Promise<void> {
    await this.store.put<FailureCounts>(
      containers.failureCounts,
      FailureCounter.key(connection),
      { connection, counts, recountedAt: at },
      (await this.read(connection))?.version,
    );
  }

  private async flush(): Promise<void> {
    const deltas = this.pending;
    this.pending = new Map();
    const byConnection = new Map<string, [Direction, ActiveState, ErrorClass, number][]>();
    for (const [key, by] of deltas) {
      const [connection, direction, state, errorClass] = JSON.parse(key) as [string, Direction, ActiveState, ErrorClass];
      byConnection.set(connection, [...(byConnection.get(connection) ?? []), [direction, state, errorClass, by]]);
    }
    for (const [connection, moves] of byConnection) {
      const key = FailureCounter.key(connection);
      for (let attempt = 0; ; attempt++) {
        const current = await this.read(connection);
        const value: FailureCounts = structuredClone(current?.value) ?? { connection, counts: {} };
        for (const [direction, state, errorClass, by] of moves) {
          const perClass = ((value.counts[direction] ??= {})[state] ??= {});
          perClass[errorClass] = Math.max(0, (perClass[errorClass] ?? 0) + by);
        }
        try {
          await this.store.put(containers.failureCounts, key, value, current?.version);
          break;
        } catch (error) {
          if (!(error instanceof ConcurrentModificationError) || attempt >= maxAttempts - 1) throw error;
        }
        // Apart, so that instances writing at once do not keep meeting on the same version.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * (attempt + 1)));
      }
    }
  }
}
