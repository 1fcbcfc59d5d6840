import type { Customer, Order } from "@commercetools/platform-sdk";
import type { Failure, FailureSubject } from "@ct-crm-sync/core/api/contract";
import type { EntityKind } from "@ct-crm-sync/core/domain/model";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import type { CommerceTypeId } from "@ct-crm-sync/core/ports/commerce";

type FailureRef = Pick<Failure, "id" | "direction" | "entity" | "sourceId">;

const typeOfEntity: Partial<Record<string, CommerceTypeId>> = { person: "customer", company: "business-unit", order: "order" };
/** What a CRM record of an inbound failure is on our side. */
const entityOfCrmEntity: Partial<Record<string, EntityKind>> = { person: "person", company: "company", deal: "order" };

export const personName = (who: { firstName?: string; lastName?: string } | undefined): string | undefined =>
  [who?.firstName, who?.lastName].filter(Boolean).join(" ") || undefined;

/**
 * The commercetools resource a failure is about: its source ID for the
 * commercetools → CRM direction (a guest has no resource of its own), the
 * linked resource of the CRM record for CRM → commercetools.
 */
async function resourceOf(runtime: Runtime, failure: FailureRef): Promise<{ typeId: CommerceTypeId; id: string } | undefined> {
  if (failure.direction === "ct-to-crm") {
    const typeId = typeOfEntity[failure.entity];
    return typeId && !failure.sourceId.startsWith("guest-") ? { typeId, id: failure.sourceId } : undefined;
  }
  const entity = entityOfCrmEntity[failure.entity];
  const link = entity ? await runtime.links.byCrmId(entity, failure.sourceId) : undefined;
  const typeId = entity ? typeOfEntity[entity] : undefined;
  return link && typeId && !link.value.sourceId.startsWith("guest-") ? { typeId, id: link.value.sourceId } : undefined;
}

function orderSubject(order: Order, customer: Customer | undefined): FailureSubject {
  return {
    orderNumber: order.orderNumber,
    email: customer?.email ?? order.customerEmail,
    name: personName(customer) ?? personName(order.billingAddress),
  };
}

/**
 * Who or what each failure is about, read live from commercetools (one query
 * per resource type and 100 IDs): a person's name and email, a company's
 * name, an order's number and who placed it. Failures with nothing to read
 * (unreadable messages, guests, records gone since) have no entry.
 */
export async function subjectsOf(runtime: Runtime, failures: FailureRef[]): Promise<Map<string, FailureSubject>> {
  const refs = new Map<string, { typeId: CommerceTypeId; id: string }>();
  for (const failure of failures) {
    const ref = await resourceOf(runtime, failure);
    if (ref) refs.set(failure.id, ref);
  }
  const idsOf = (typeId: CommerceTypeId) => [...refs.values()].filter((r) => r.typeId === typeId).map((r) => r.id);
  const orders = await runtime.commerce.getMany("order", idsOf("order"));
  const units = await runtime.commerce.getMany("business-unit", idsOf("business-unit"));
  const placedBy = [...orders.values()].flatMap((o) => (o.customerId ? [o.customerId] : []));
  const customers = await runtime.commerce.getMany("customer", [...idsOf("customer"), ...placedBy]);

  const subjects = new Map<string, FailureSubject>();
  for (const [failureId, { typeId, id }] of refs) {
    if (typeId === "customer") {
      const customer = customers.get(id);
      if (customer) subjects.set(failureId, { name: personName(customer), email: customer.email });
    } else if (typeId === "business-unit") {
      const unit = units.get(id);
      if (unit) subjects.set(failureId, { company: unit.name });
    } else {
      const order = orders.get(id);
      if (order) subjects.set(failureId, orderSubject(order, order.customerId ? customers.get(order.customerId) : undefined));
    }
  }
  return subjects;
}
