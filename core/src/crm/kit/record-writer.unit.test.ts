import { describe, expect, it } from "vitest";
import { SyncError } from "../../domain/errors";
import { RecordOutcomes, runsWithoutRepeats, writeEach } from "./record-writer";

const refused = (errorClass: "validation" | "not_found" | "ambiguous_match") => new SyncError({ errorClass, status: 400, message: `refused: ${errorClass}` });

describe("record writer", () => {
  it("writes records one by one and answers their outcomes in input order, a refused record as its own failure", async () => {
    const order: string[] = [];
    const outcomes = await writeEach([{ sourceId: "a" }, { sourceId: "b" }, { sourceId: "c" }, { sourceId: "d" }], async (r) => {
      order.push(r.sourceId);
      if (r.sourceId === "b") throw refused("validation");
      if (r.sourceId === "c") throw refused("not_found");
      return { crmId: `crm-${r.sourceId}`, created: r.sourceId === "a" };
    });
    expect(order).toEqual(["a", "b", "c", "d"]);
    expect(outcomes).toEqual([
      { sourceId: "a", ok: true, crmId: "crm-a", created: true },
      { sourceId: "b", ok: false, error: { errorClass: "validation", status: 400, message: "refused: validation" } },
      { sourceId: "c", ok: false, error: { errorClass: "not_found", status: 400, message: "refused: not_found" } },
      { sourceId: "d", ok: true, crmId: "crm-d", created: false },
    ]);
  });

  it.each(["throttled", "crm_unavailable", "auth", "unknown"] as const)("fails the whole call on %s, so the retry policy acts on it", async (errorClass) => {
    const written: string[] = [];
    const call = writeEach([{ sourceId: "a" }, { sourceId: "b" }, { sourceId: "c" }], async (r) => {
      if (r.sourceId === "b") throw new SyncError({ errorClass, message: "call-level" });
      written.push(r.sourceId);
      return { crmId: r.sourceId, created: true };
    });
    await expect(call).rejects.toMatchObject({ errorClass });
    expect(written).toEqual(["a"]);
  });

  it("fails the whole call on an error that is not a SyncError (a bug is not a record's fault)", async () => {
    await expect(writeEach([{ sourceId: "a" }], async () => Promise.reject(new TypeError("boom")))).rejects.toMatchObject({ errorClass: "unknown" });
  });

  it("keeps a record that failed in one step out of the next, and answers by position when a record appears twice", async () => {
    const records = [{ sourceId: "x" }, { sourceId: "y" }, { sourceId: "x" }];
    const book = new RecordOutcomes(records);
    await book.attempt(1, async () => Promise.reject(refused("ambiguous_match")));
    expect(book.open()).toEqual([0, 2]);
    let ranForFailed = false;
    await book.attempt(1, async () => {
      ranForFailed = true;
    });
    expect(ranForFailed).toBe(false);
    book.succeed(0, { crmId: "c1", created: true });
    book.succeed(2, { crmId: "c1", created: false });
    expect(book.outcomes().map((o) => [o.sourceId, o.ok])).toEqual([["x", true], ["y", false], ["x", true]]);
    expect(book.outcomes()[2]).toMatchObject({ created: false });
  });

  it("refuses to answer while a record has no outcome", () => {
    const book = new RecordOutcomes([{ sourceId: "a" }]);
    expect(() => book.outcomes()).toThrow(/never settled/);
  });

  it("cuts records into runs without a repeated key, keeping positions", () => {
    const runs = runsWithoutRepeats(["a", "b", "a", "c", "b", "b"], (k) => k);
    expect(runs.map((run) => run.map((r) => `${r.record}${r.index}`))).toEqual([["a0", "b1"], ["a2", "c3", "b4"], ["b5"]]);
    expect(runsWithoutRepeats([], (k: string) => k)).toEqual([]);
  });
});
