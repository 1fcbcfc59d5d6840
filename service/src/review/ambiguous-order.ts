import type { Order } from "@commercetools/platform-sdk";
import type { Actor, Failure, FailureReview, GuestDecision, MatchCandidate, ResolveMatchRequest } from "@ct-crm-sync/core/api/contract";
import { guestSourceId } from "@ct-crm-sync/core/domain/keys";
import { normaliseEmail } from "@ct-crm-sync/core/domain/normalise";
import { HttpError } from "@ct-crm-sync/core/http/base-app";
import { predicate, predicateArgs } from "@ct-crm-sync/core/ports/predicate";
import type { CallContext } from "@ct-crm-sync/core/ports/crm-outbound";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import type { GuestIdentity } from "@ct-crm-sync/core/state/link-store";
import { matchGuest } from "@ct-crm-sync/core/sync/guest-match";
import { personName } from "./subjects";

/** A guest order (an email, no customer) waiting for review because its email matched several people. */
export const isAmbiguousGuestOrder = (failure: Failure): boolean =>
  failure.direction === "ct-to-crm" && failure.entity === "order" && failure.errorClass === "ambiguous_match";

/** The guest behind an order: its derived source ID (the key of decisions about it). */
function guestOf(order: Order | undefined): { email: string; guestId: string } | undefined {
  const email = order && !order.customerId ? normaliseEmail(order.customerEmail) : undefined;
  return email ? { email, guestId: guestSourceId(email) } : undefined;
}

/** The people the guest's email matches now, by the connection's own matching rules (the CRM is asked, as the sync asks it). */
async function candidatesNow(runtime: Runtime, email: string, ctx: CallContext) {
  const match = await matchGuest(runtime.sync.deps, email, (await runtime.mappings.config()).matching, ctx);
  // Orders name their person by commercetools ID: a CRM record without one cannot be chosen.
  return match.kind === "ambiguous" ? match.candidates.flatMap((c) => (c.sourceId ? [{ crmId: c.crmId, sourceId: c.sourceId }] : [])) : [];
}

async function lastOrderOf(runtime: Runtime, customerId: string): Promise<MatchCandidate["lastOrder"]> {
  const { body } = await runtime.api
    .orders()
    .get({ queryArgs: { ...predicateArgs(predicate`customerId = ${customerId}`), sort: "createdAt desc", limit: 1, withTotal: false } })
    .execute();
  const order = body.results[0];
  if (!order) return undefined;
  const { centAmount, currencyCode, fractionDigits } = order.totalPrice;
  return { ...(order.orderNumber ? { orderNumber: order.orderNumber } : {}), at: order.createdAt, total: { centAmount, currencyCode, fractionDigits } };
}

/** Each candidate as a reviewer tells people apart: name, email, stores and last order, read from commercetools now. */
async function describe(runtime: Runtime, candidates: { crmId: string; sourceId: string }[]): Promise<MatchCandidate[]> {
  const customers = await runtime.commerce.getMany("customer", candidates.map((c) => c.sourceId));
  return Promise.all(
    candidates.map(async ({ crmId, sourceId }) => {
      const customer = customers.get(sourceId);
      const lastOrder = customer ? await lastOrderOf(runtime, sourceId) : undefined;
      return {
        sourceId,
        crmId,
        ...(personName(customer) ? { name: personName(customer) } : {}),
        ...(customer?.email ? { email: customer.email } : {}),
        stores: (customer?.stores ?? []).flatMap((s) => (s.key ? [s.key] : [])),
        ...(lastOrder ? { lastOrder } : {}),
      };
    }),
  );
}

/** A stored decision as the app shows it: the chosen person's name and email read now. */
async function decisionView(runtime: Runtime, identity: GuestIdentity): Promise<GuestDecision> {
  const decided = { decidedBy: identity.decidedBy, decidedAt: identity.decidedAt };
  if (!identity.person) return decided;
  const customer = await runtime.commerce.get("customer", identity.person.sourceId);
  return {
    ...decided,
    person: {
      ...identity.person,
      ...(personName(customer) ? { name: personName(customer) } : {}),
      ...(customer?.email ? { email: customer.email } : {}),
    },
  };
}

/** For an ambiguous guest order: the decision taken on its email, or the people it may belong to now. */
export async function reviewAmbiguousOrder(runtime: Runtime, failure: Failure, ctx: CallContext): Promise<FailureReview["match"]> {
  const guest = guestOf(await runtime.commerce.get("order", failure.sourceId));
  if (!guest) return { candidates: [] };
  const identity = await runtime.links.guestIdentity(guest.guestId);
  if (identity) return { candidates: [], decision: await decisionView(runtime, identity) };
  return { candidates: await describe(runtime, await candidatesNow(runtime, guest.email, ctx)) };
}

/**
 * Records who the order's guest is (a candidate the CRM and commercetools
 * still agree on, or a record of its own) with who decided it. The caller then
 * syncs the order again, which follows the decision (core/src/sync/guest-match.ts).
 */
export async function decideAmbiguousOrder(
  runtime: Runtime,
  failure: Failure,
  choice: ResolveMatchRequest,
  by: Actor,
  ctx: CallContext,
): Promise<GuestDecision> {
  if (!isAmbiguousGuestOrder(failure) || (failure.state !== "open" && failure.state !== "retrying")) {
    throw new HttpError(409, "this failure is not a guest order waiting for a match decision");
  }
  const guest = guestOf(await runtime.commerce.get("order", failure.sourceId));
  if (!guest) throw new HttpError(409, "the order is gone or no longer a guest order; replay or dismiss it");
  let person: GuestIdentity["person"];
  if ("person" in choice) {
    person = (await candidatesNow(runtime, guest.email, ctx)).find((c) => c.sourceId === choice.person);
    if (!person) throw new HttpError(409, "that person is no longer a candidate for this order; reload the review");
  }
  const identity: GuestIdentity = {
    connection: runtime.connection,
    guestSourceId: guest.guestId,
    ...(person ? { person } : {}),
    orderId: failure.sourceId,
    decidedBy: by,
    decidedAt: runtime.clock.now().toISOString(),
  };
  await runtime.links.saveGuestIdentity(identity);
  return decisionView(runtime, identity);
}
