import { safeKeyPart } from "../domain/keys";
import type { KeyValueStore, Versioned } from "../ports/key-value-store";
import { containers } from "./containers";

export type JobRun = {
  startedAt: string;
  finishedAt?: string;
  outcome: "running" | "succeeded" | "failed" | "partial";
  counts?: Record<string, number>;
  detail?: string;
};

/** Where delta sync of one entity stands: everything modified up to here was handled. */
export type Checkpoint = {
  entity: string;
  lastModifiedAt: string;
  lastId: string;
  updatedAt: string;
};

/** The job's last run and its checkpoints, per connection. */
export class JobStateStore {
  constructor(
    private readonly store: KeyValueStore,
    private readonly connection: string,
  ) {}

  private runKey() {
    return `${safeKeyPart(this.connection)}_last-run`;
  }

  private checkpointKey(entity: string) {
    return `${safeKeyPart(this.connection)}_checkpoint_${safeKeyPart(entity)}`;
  }

  async lastRun(): Promise<Versioned<JobRun> | undefined> {
    return this.store.get<JobRun>(containers.checkpoints, this.runKey());
  }

  async saveRun(run: JobRun, expectedVersion?: number): Promise<Versioned<JobRun>> {
    const current = expectedVersion ?? (await this.lastRun())?.version;
    return this.store.put(containers.checkpoints, this.runKey(), run, current);
  }

  async checkpoint(entity: string): Promise<Versioned<Checkpoint> | undefined> {
    return this.store.get<Checkpoint>(containers.checkpoints, this.checkpointKey(entity));
  }

  async saveCheckpoint(checkpoint: Checkpoint, expectedVersion?: number): Promise<Versioned<Checkpoint>> {
    return this.store.put(containers.checkpoints, this.checkpointKey(checkpoint.entity), checkpoint, expectedVersion);
  }
}
