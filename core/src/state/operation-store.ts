import { randomUUID } from "node:crypto";
import type { Actor } from "../api/failures";
import type { Operation, OperationRequest } from "../api/operations";
import { safeKeyPart } from "../domain/keys";
import { ConcurrentModificationError, type KeyValueStore, type Versioned } from "../ports/key-value-store";
import { predicate } from "../ports/predicate";
import { containers } from "./containers";

/** Where the connection's latest operation is: the one compare-and-set that lets only one start at a time. */
type Head = { latest: string };

export type StartResult = { started: Operation } | { conflict: Operation };

/**
 * Operator actions (backfill, scoped re-sync, reconciliation) of one
 * connection, one custom object each in `crm-sync-operations`, with a head
 * object naming the latest. Starting writes the operation, then moves the head
 * with the version it read, so of two starts at once exactly one wins and the
 * other is told which operation is in the way. A running operation the job
 * stopped reporting on (its instance died) counts as lost after `staleAfterMs`,
 * so it neither blocks new starts for ever nor is forgotten: the next run takes it up again.
 */
export class OperationStore {
  constructor(
    private readonly store: KeyValueStore,
    private readonly connection: string,
    private readonly now: () => Date,
    readonly staleAfterMs = 5 * 60_000,
  ) {}

  private headKey = () => `${safeKeyPart(this.connection)}_head`;
  private key = (id: string) => `${safeKeyPart(this.connection)}_${safeKeyPart(id)}`;

  async get(id: string): Promise<Versioned<Operation> | undefined> {
    const found = await this.store.get<Operation>(containers.operations, this.key(id));
    return found?.value.connection === this.connection ? found : undefined;
  }

  /** True for a running operation whose job has not reported for `staleAfterMs`. */
  isLost(operation: Operation): boolean {
    if (operation.state !== "running") return false;
    const lastSign = operation.progress?.updatedAt ?? operation.startedAt ?? operation.requestedAt;
    return this.now().getTime() - Date.parse(lastSign) > this.staleAfterMs;
  }

  /** The operation that is queued or running (a lost one included: it is still to be done). */
  async active(): Promise<Versioned<Operation> | undefined> {
    const head = await this.store.get<Head>(containers.operations, this.headKey());
    if (!head) return undefined;
    const latest = await this.get(head.value.latest);
    return latest && (latest.value.state === "queued" || latest.value.state === "running") ? latest : undefined;
  }

  /** Records a new queued operation unless another one is queued or running. */
  async start(request: OperationRequest, requestedBy: Actor): Promise<StartResult> {
    const operation: Operation = {
      id: randomUUID(),
      connection: this.connection,
      request,
      requestedBy,
      requestedAt: this.now().toISOString(),
      state: "queued",
    };
    for (let attempt = 0; attempt < 5; attempt++) {
      const head = await this.store.get<Head>(containers.operations, this.headKey());
      const latest = head ? await this.get(head.value.latest) : undefined;
      if (latest && (latest.value.state === "queued" || latest.value.state === "running")) return { conflict: latest.value };
      // The operation first: the head never names one that is not there.
      await this.store.put(containers.operations, this.key(operation.id), operation);
      try {
        await this.store.put<Head>(containers.operations, this.headKey(), { latest: operation.id }, head?.version);
        return { started: operation };
      } catch (error) {
        await this.store.delete(containers.operations, this.key(operation.id));
        if (!(error instanceof ConcurrentModificationError)) throw error;
      }
    }
    throw new Error("operations kept changing under concurrent starts");
  }

  /** The latest operations, newest first. */
  async recent(limit = 10): Promise<Operation[]> {
    const page = await this.store.list<Operation>(containers.operations, {
      where: predicate`value(connection = ${this.connection})`,
      sort: ["value.requestedAt desc"],
      limit,
    });
    return page.items.map((item) => item.value);
  }

  /** Writes a new state of the operation; undefined when someone else wrote it meanwhile (another runner took it). */
  async update(current: Versioned<Operation>, changes: Partial<Operation>): Promise<Versioned<Operation> | undefined> {
    try {
      return await this.store.put(containers.operations, this.key(current.value.id), { ...current.value, ...changes }, current.version);
    } catch (error) {
      if (error instanceof ConcurrentModificationError) return undefined;
      throw error;
    }
  }
}
