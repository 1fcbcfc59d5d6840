import type { FieldOwner } from "./mapping-config";

/**
 * Field ownership: one system of record per field, decided per field from the
 * value we last wrote, the current commercetools value and (when read) the
 * current CRM value. Pure; the caller logs the decisions with its correlation ID.
 *
 * commercetools → CRM:
 * - owner `commercetools`: always write commercetools' value; a CRM edit is
 *   overwritten (the owner's value is restored).
 * - owner `crm`: never write; the CRM's value stands.
 * - owner `first-write`: write only when the CRM field is empty (known from a
 *   read, or — without a read — when we never wrote it and are creating the record).
 *
 * CRM → commercetools uses `decideInbound` (domain/inbound.ts prepares its input).
 */
export type FieldDecision = {
  field: string;
  old: unknown;
  new: unknown;
  winner: "commercetools" | "crm" | "none";
  why: string;
};

export type OwnedValue = { field: string; owner: FieldOwner; value: unknown };

export type OutboundInput = {
  values: OwnedValue[];
  /** What we last wrote per field (SyncLink.written), undefined for a new record. */
  lastWritten?: Record<string, unknown>;
  /** The CRM's current values, when the adapter read them; absent fields unknown. */
  crmCurrent?: Record<string, unknown>;
};

const empty = (value: unknown) => value === undefined || value === null || value === "";
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export function decideOutbound(input: OutboundInput): { write: Record<string, unknown>; decisions: FieldDecision[] } {
  const write: Record<string, unknown> = {};
  const decisions: FieldDecision[] = [];
  for (const { field, owner, value } of input.values) {
    const lastWritten = input.lastWritten?.[field];
    const crmKnown = input.crmCurrent !== undefined && field in input.crmCurrent;
    const crmValue = crmKnown ? input.crmCurrent![field] : lastWritten;
    if (owner === "commercetools") {
      write[field] = value;
      if (crmKnown && !same(crmValue, lastWritten) && !same(crmValue, value)) {
        decisions.push({ field, old: crmValue, new: value, winner: "commercetools", why: "field owned by commercetools: CRM edit overwritten" });
      } else if (input.lastWritten && !same(lastWritten, value)) {
        decisions.push({ field, old: lastWritten, new: value, winner: "commercetools", why: "commercetools value changed" });
      }
      continue;
    }
    if (owner === "crm") {
      if (!same(value, crmValue)) {
        decisions.push({ field, old: crmValue, new: value, winner: "crm", why: "field owned by the CRM: commercetools change not propagated" });
      }
      continue;
    }
    // first-write
    const crmEmpty = crmKnown ? empty(crmValue) : input.lastWritten === undefined || !(field in input.lastWritten);
    const weWroteIt = input.lastWritten !== undefined && field in input.lastWritten;
    if (crmEmpty && !weWroteIt && !empty(value)) {
      write[field] = value;
      decisions.push({ field, old: crmValue, new: value, winner: "commercetools", why: "first write: CRM field was empty" });
    } else if (!same(value, crmValue) && !empty(value)) {
      decisions.push({ field, old: crmValue, new: value, winner: "crm", why: "first write: already set, never overwritten" });
    }
  }
  return { write, decisions };
}

/**
 * CRM → commercetools: which incoming CRM values to apply. `lastKnown` is
 * what the CRM was last known to hold per field (what we wrote to it, or
 * applied from it): a value equal to it is no news — our own write coming
 * back (an echo) or a duplicate delivery — and is dropped, which is what
 * stops ping-pong between the two systems. A CRM value of a field
 * commercetools owns is not applied; the decision says so, and the next
 * outbound write of the record (it sends every commercetools-owned field)
 * restores commercetools' value. The link is not marked for it: a CRM that
 * holds a value in another form (one name field for two) would otherwise
 * have every later change of the record written back.
 */
export function decideInbound(input: {
  incoming: Record<string, unknown>;
  owners: Record<string, FieldOwner>;
  lastKnown?: Record<string, unknown>;
  /** commercetools' current values. */
  current: Record<string, unknown>;
}): { apply: Record<string, unknown>; decisions: FieldDecision[]; echoes: string[] } {
  const apply: Record<string, unknown> = {};
  const decisions: FieldDecision[] = [];
  const echoes: string[] = [];
  for (const [field, value] of Object.entries(input.incoming)) {
    const owner = input.owners[field];
    if (!owner) continue;
    if (input.lastKnown && field in input.lastKnown && same(value, input.lastKnown[field])) {
      echoes.push(field);
      continue;
    }
    const current = input.current[field];
    if (same(value, current)) continue;
    if (owner === "crm" || (owner === "first-write" && empty(current))) {
      apply[field] = value;
      decisions.push({ field, old: current, new: value, winner: "crm", why: owner === "crm" ? "field owned by the CRM" : "first write: commercetools field was empty" });
      continue;
    }
    decisions.push({
      field,
      old: current,
      new: value,
      winner: "commercetools",
      why: owner === "commercetools" ? "field owned by commercetools: CRM change not propagated, next sync restores it" : "first write: already set, never overwritten",
    });
  }
  return { apply, decisions, echoes };
}
