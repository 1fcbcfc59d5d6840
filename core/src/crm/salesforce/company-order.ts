import type { Company } from "../../domain/model";

/**
 * Splits companies into generations: a company whose parent is in the same batch
 * goes into a later request than its parent. Salesforce resolves
 * `"Parent": {"CT_Business_Unit_Id__c": ...}` against what the org holds when
 * the request starts, so parent and child in one request would fail.
 * Returns input indexes per generation, in input order inside each.
 */
export function generations(companies: Company[]): number[][] {
  const out: number[][] = [];
  let waiting = companies.map((_, i) => i);
  while (waiting.length > 0) {
    const waitingIds = new Set(waiting.map((i) => companies[i]!.sourceId));
    const ready = waiting.filter((i) => {
      const { sourceId, parentSourceId } = companies[i]!;
      return parentSourceId === undefined || parentSourceId === sourceId || !waitingIds.has(parentSourceId);
    });
    // A cycle (bad data) is written as it stands; the org will refuse what it must.
    const generation = new Set(ready.length > 0 ? ready : waiting);
    out.push([...generation]);
    waiting = waiting.filter((i) => !generation.has(i));
  }
  return out;
}
