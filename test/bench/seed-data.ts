import { randomUUID } from "node:crypto";
import type { Emulator } from "../emulator/emulator";

/**
 * Bulk seeding straight into the emulator's storage (no HTTP): tests and the
 * benchmark need thousands of customers fast; the sync under test still reads
 * them through the HTTP API. Timestamps repeat in runs of `sameStamp`, so the
 * (lastModifiedAt, id) keyset is exercised on ties.
 */
export async function seedCustomers(
  emulator: Emulator,
  count: number,
  options: { ordersPerCustomer?: number; sameStamp?: number; base?: Date; idPrefix?: string } = {},
): Promise<string[]> {
  const project = emulator.mock.project(emulator.projectKey);
  const base = (options.base ?? new Date("2026-01-01T00:00:00.000Z")).getTime();
  const sameStamp = options.sameStamp ?? 7;
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    ids.push(id);
    const stamp = new Date(base + Math.floor(i / sameStamp) * 1000).toISOString();
    const n = `${options.idPrefix ?? "c"}${i}`;
    await project.unsafeAdd("customer", {
      id,
      version: 1,
      createdAt: stamp,
      lastModifiedAt: stamp,
      email: `${n}@example.com`,
      firstName: `First${i}`,
      lastName: `Last${i}`,
      addresses: [{ id: `a${i}`, country: "DE", city: "Berlin", streetName: "Main Street", postalCode: "10178" }],
      defaultBillingAddressId: `a${i}`,
      shippingAddressIds: [],
      billingAddressIds: [],
      isEmailVerified: true,
      stores: [{ typeId: "store", key: "berlin" }],
      authenticationMode: "Password",
      customerGroupAssignments: [],
    } as never);
    for (let k = 0; k < (options.ordersPerCustomer ?? 0); k++) {
      await project.unsafeAdd("order", {
        id: randomUUID(),
        version: 1,
        createdAt: stamp,
        lastModifiedAt: stamp,
        orderNumber: `${n}-o${k}`,
        customerId: id,
        customerEmail: `${n}@example.com`,
        totalPrice: { type: "centPrecision", currencyCode: "EUR", centAmount: 1000 + k, fractionDigits: 2 },
        orderState: "Open",
        paymentState: "Pending",
        shipmentState: "Pending",
        lineItems: [],
        customLineItems: [],
        store: { typeId: "store", key: "berlin" },
        origin: "Customer",
        refusedGifts: [],
        shipping: [],
        shippingMode: "Single",
        syncInfo: [],
        taxMode: "Platform",
        taxRoundingMode: "HalfEven",
        taxCalculationMode: "LineItemLevel",
        inventoryMode: "None",
        itemShippingAddresses: [],
        discountCodes: [],
        directDiscounts: [],
      } as never);
    }
  }
  return ids;
}
