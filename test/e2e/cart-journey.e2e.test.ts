import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cartDealKey, orderActivityKey } from "@ct-crm-sync/core/domain/keys";
import { closeInspector } from "../conformance/targets/close";
import { soqlInspector } from "../conformance/targets/salesforce";
import type { CrmInspector, InspectedDeal } from "../conformance/target";
import { startSandbox, type Sandbox } from "../sandbox/sandbox";
import { createCustomer } from "../sandbox/seed";
import { until } from "../support/until";

/** Carts of at least 50 EUR are deals; a cart unchanged for 18 s counts as abandoned. */
const idleSeconds = 18;
const cartEnv = { CART_MIN_VALUE: "EUR:50", CART_ABANDONED_AFTER_HOURS: String(idleSeconds / 3600) };

type Crm = { name: "salesforce" | "close"; inspect(sandbox: Sandbox): CrmInspector; requests(sandbox: Sandbox): number };
const crms: Crm[] = [
  { name: "salesforce", inspect: (s) => soqlInspector(s.urls.salesforce), requests: (s) => s.salesforce.requests.length },
  { name: "close", inspect: (s) => closeInspector(s.urls.closeApi, s.env.CLOSE_API_KEY!), requests: (s) => s.close.requests.length },
];

const eur = (cents: number) => ({ currencyCode: "EUR", centAmount: cents });

/**
 * Carts reaching Sales, through the whole sandbox: commercetools cart
 * changes → Pub/Sub push → event app → the CRM, read back through the CRM's
 * own API; the idle flag set by a scheduled job run (a bodiless POST /).
 */
describe.each(crms)("sandbox: a cart journey in $name", (crm) => {
  let sandbox: Sandbox;
  let inspect: CrmInspector;
  let customerId: string;

  const dealOf = async (cartId: string): Promise<InspectedDeal[]> => (await inspect.deals()).filter((d) => d.dealKey === cartDealKey(cartId) || d.dealKey === cartId);
  const dealWhere = (cartId: string, holds: (deal: InspectedDeal) => boolean) =>
    until(async () => {
      const deals = await dealOf(cartId);
      return deals.length === 1 && holds(deals[0]!) ? deals[0] : undefined;
    }, 30_000);

  async function createCart(draft: { customerId?: string; anonymousId?: string; cents: number }) {
    const { body } = await sandbox.api
      .carts()
      .post({
        body: {
          currency: "EUR",
          ...(draft.customerId ? { customerId: draft.customerId, customerEmail: "cart.buyer@example.com" } : { anonymousId: draft.anonymousId }),
          store: { typeId: "store", key: "berlin" },
          customLineItems: [{ name: { en: "Espresso machine" }, slug: "espresso-machine", money: eur(draft.cents), quantity: 1 }],
        },
      })
      .execute();
    return body;
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ crm: crm.name, ports: "ephemeral", env: cartEnv });
    inspect = crm.inspect(sandbox);
    customerId = await createCustomer(sandbox.api, { email: `cart.buyer.${crm.name}@example.com`, firstName: "Carla", lastName: "Cart", store: "berlin", country: "DE" });
    await until(async () => ((await inspect.people()).some((p) => p.sourceId === customerId) ? true : undefined), 30_000);
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it("shows a known customer's cart as an open deal, follows its changes, and flags it abandoned on a scheduled run once idle", async () => {
    const cart = await createCart({ customerId, cents: 15000 });
    const created = await dealWhere(cart.id, (d) => d.amount === 150);
    expect(created).toMatchObject({ personSourceId: customerId, status: "open", currency: "EUR" });

    const { body: updated } = await sandbox.api
      .carts()
      .withId({ ID: cart.id })
      .post({ body: { version: cart.version, actions: [{ action: "addCustomLineItem", name: { en: "Milk jug" }, slug: "milk-jug", money: eur(3000), quantity: 1 }] } })
      .execute();
    const changed = await dealWhere(cart.id, (d) => d.amount === 180);
    expect(changed).toMatchObject({ crmId: created.crmId, status: "open" });

    // The cart sits unchanged past the idle time; then Connect's cron posts to the job, with no body.
    const idleAt = Date.parse(updated.lastModifiedAt) + idleSeconds * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, idleAt - Date.now()) + 500));
    const run = await fetch(sandbox.urls.job, { method: "POST" });
    expect(run.status).toBe(200);
    expect(((await run.json()) as { counts: Record<string, number> }).counts["abandonCarts.written"]).toBeGreaterThanOrEqual(1);
    const abandoned = await dealOf(cart.id);
    expect(abandoned).toHaveLength(1);
    expect(abandoned[0]).toMatchObject({ crmId: created.crmId, status: "abandoned", amount: 180 });
  }, 90_000);

  it("closes the deal of an ordered cart as won, linked to the order", async () => {
    const cart = await createCart({ customerId, cents: 12000 });
    const open = await dealWhere(cart.id, (d) => d.status === "open");
    const { body: order } = await sandbox.api
      .orders()
      .post({ body: { cart: { typeId: "cart", id: cart.id }, version: cart.version, orderNumber: `SB-CART-${crm.name}` } })
      .execute();
    const won = await dealWhere(cart.id, (d) => d.status === "won");
    expect(won.crmId).toBe(open.crmId);
    expect([order.id, orderActivityKey(order.id)]).toContain(won.orderSourceId);
    expect((await inspect.orders()).filter((o) => o.sourceId === order.id || o.sourceId === orderActivityKey(order.id))).toHaveLength(1);
  });

  it("costs no CRM call for a cart under the threshold or an anonymous cart", async () => {
    await sandbox.relay.drained();
    const before = crm.requests(sandbox);
    const small = await createCart({ customerId, cents: 1000 });
    const anonymous = await createCart({ anonymousId: `anon-${crm.name}`, cents: 20000 });
    await sandbox.relay.drained();
    expect(sandbox.relay.stats.pending).toBe(0);
    expect(crm.requests(sandbox)).toBe(before);
    expect(await dealOf(small.id)).toEqual([]);
    expect(await dealOf(anonymous.id)).toEqual([]);
  });
});
