import type { Company } from "../../domain/model";
import type { WriteOutcome } from "../../ports/crm-outbound";
import { idsOf, missingLink, writeResolved, type Resolved } from "./linked-ids";
import { salesAccountBody } from "./mapping";
import { accountsModule, type WriteCall } from "./modules";
import { upsertAll } from "./writes";

/**
 * Input positions by depth inside the call: a unit whose parent is in the
 * same call comes one level after it, since a division names its parent's
 * Freshsales ID, known once the parent is written. A cycle (bad data) stops
 * where it closes.
 */
export function byDepth(companies: readonly Company[]): number[][] {
  const position = new Map(companies.map((c, i) => [c.sourceId, i]));
  const depthOf = (i: number, seen = new Set<number>()): number => {
    const parent = position.get(companies[i]!.parentSourceId ?? "");
    if (parent === undefined || parent === i || seen.has(parent)) return 0;
    return depthOf(parent, seen.add(i)) + 1;
  };
  const levels: number[][] = [];
  companies.forEach((_, i) => (levels[depthOf(i)] ??= []).push(i));
  return levels.filter(Boolean);
}

/** Business units as sales accounts, upserted on `cf_ct_business_unit_id`; divisions under their parent's account. */
export async function upsertCompanies(call: WriteCall, companies: Company[]): Promise<WriteOutcome[]> {
  const outcomes: WriteOutcome[] = new Array(companies.length);
  for (const level of byDepth(companies)) {
    const units = level.map((i) => companies[i]!);
    const parents = await idsOf(call, accountsModule, units.flatMap((c) => (c.unitType === "Division" && c.parentSourceId ? [c.parentSourceId] : [])));
    const resolved = units.map((company): Resolved => {
      const item = (parent?: number) => ({ sourceId: company.sourceId, body: salesAccountBody(company, parent) });
      if (company.unitType !== "Division" || !company.parentSourceId) return { item: item(), links: [] };
      const parent = parents.get(company.parentSourceId);
      return parent ? { item: item(Number(parent)), links: [[accountsModule, company.parentSourceId]] } : { refused: missingLink("sales account for this division's parent unit") };
    });
    const written = await writeResolved(call, resolved, (k) => units[k]!.sourceId, (items) => upsertAll(call, accountsModule, items));
    level.forEach((i, k) => (outcomes[i] = written[k]!));
  }
  return outcomes;
}
