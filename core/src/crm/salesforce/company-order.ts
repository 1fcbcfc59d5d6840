import type { Company } from "../../domain/model";

/**
 * Splits companies into generations: a company whose parent is in the same batch
 * goes into a later request than its parent. Salesforce resolves
 * `"Parent": {"CT_Business_Unit_Id__c": ...}` against what the org holds when
 * the request starts, so parent and child in one request would fail.
 * Returns input indexes per generation, in input order inside each.
 */
export function generations(companies: Company[]): number[][] {
  const indexOf = new Map(companies.map((c, i) => [c.sourceId, i]));
  const depth = new Map<number, number>();
  const depthOf = (i: number, seen: Set<number>): number => {
    const known = depth.get(i);
    if (known !== undefined) return known;
    const parent = companies[i]!.parentSourceId;
    const parentIndex = parent !== undefined ? indexOf.get(parent) : undefined;
    // A cycle (bad data) is cut where it is detected; the org will refuse what it must.
    const d = parentIndex === undefined || parentIndex === i || seen.has(parentIndex) ? 0 : depthOf(parentIndex, new Set([...seen, i])) + 1;
    depth.set(i, d);
    return d;
  };
  const out: number[][] = [];
  companies.forEach((_, i) => {
    const d = depthOf(i, new Set([i]));
    (out[d] ??= []).push(i);
  });
  return out.filter(Boolean);
}
