import { type SyncErrorDetails, toSyncError } from "../../domain/errors";
import type { WriteOutcome } from "../../ports/crm-outbound";

/** What writing one record gave: the CRM's ID of it, and whether this write created it. */
export type RecordWrite = { crmId: string; created: boolean };

/**
 * A failure of one record (the CRM refused this record), as opposed to a
 * failure of the call (throttling, outage, auth) that the retry policy must
 * see: it is thrown, not turned into outcomes.
 */
function recordFailure(raw: unknown): SyncErrorDetails {
  const error = toSyncError(raw);
  if (error.errorClass === "validation" || error.errorClass === "not_found" || error.errorClass === "ambiguous_match") return error.details;
  throw error;
}

/**
 * The outcomes of one write call for CRMs without batch writes, where each
 * record takes requests of its own, maybe in several steps (a grouped find,
 * then per-record writes). A record that failed drops out of later steps;
 * outcomes come back in input order, by position (a record may appear twice).
 */
export class RecordOutcomes<T extends { sourceId: string }> {
  private readonly settled: (WriteOutcome | undefined)[];

  constructor(readonly records: readonly T[]) {
    this.settled = records.map(() => undefined);
  }

  /** Positions of the records without an outcome yet. */
  open(): number[] {
    return [...this.records.keys()].filter((i) => this.settled[i] === undefined);
  }

  /** Runs a step of record `i`: a record-level failure becomes its outcome, anything else is thrown. */
  async attempt(i: number, step: () => Promise<void>): Promise<void> {
    if (this.settled[i]) return;
    try {
      await step();
    } catch (raw) {
      this.settled[i] = { sourceId: this.records[i]!.sourceId, ok: false, error: recordFailure(raw) };
    }
  }

  succeed(i: number, write: RecordWrite): void {
    this.settled[i] ??= { sourceId: this.records[i]!.sourceId, ok: true, ...write };
  }

  /** Every record's outcome, in input order. */
  outcomes(): WriteOutcome[] {
    return this.settled.map((outcome, i) => {
      if (!outcome) throw new Error(`record ${i} of the call was never settled`);
      return outcome;
    });
  }
}

/** Records one after another, each with its own write; outcomes in input order. */
export async function writeEach<T extends { sourceId: string }>(records: readonly T[], write: (record: T) => Promise<RecordWrite>): Promise<WriteOutcome[]> {
  const book = new RecordOutcomes(records);
  for (const [i, record] of records.entries()) await book.attempt(i, async () => book.succeed(i, await write(record)));
  return book.outcomes();
}

/**
 * The records cut into runs in which no key repeats, in order: a grouped find
 * cannot see a record the same run creates, so a key's second write waits for
 * the next run (and finds the first).
 */
export function runsWithoutRepeats<T>(records: readonly T[], key: (record: T) => string): { record: T; index: number }[][] {
  const runs: { record: T; index: number }[][] = [];
  let seen = new Set<string>();
  for (const [index, record] of records.entries()) {
    if (runs.length === 0 || seen.has(key(record))) {
      runs.push([]);
      seen = new Set();
    }
    seen.add(key(record));
    runs.at(-1)!.push({ record, index });
  }
  return runs;
}
