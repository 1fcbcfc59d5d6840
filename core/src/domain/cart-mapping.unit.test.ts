import type { Cart } from "@commercetools/platform-sdk";
import { describe, expect, it } from "vitest";
import { cartDealFromCart, decideDeal, isKnownCart, lostDeal, meetsThreshold, parseCartThreshold } from "./cart-mapping";

const money = (centAmount: number, currencyCode = "EUR") => ({ type: "centPrecision" as const, centAmount, currencyCode, fractionDigits: 2 });

const cart = (overrides: Partial<Cart> = {}): Cart =>
  ({
    id: "cart-1",
    version: 4,
    createdAt: "2026-11-20T09:00:00.000Z",
    lastModifiedAt: "2026-11-20T10:00:00.000Z",
    customerId: "c-1",
    customerEmail: " Jane.Doe@Example.com ",
    cartState: "Active",
    store: { typeId: "store", key: "berlin" },
    totalPrice: money(12345),
    lineItems: [
      { id: "li-1", productId: "p-1", name: { en: "Espresso cup" }, variant: { id: 1, sku: "SKU-1" }, quantity: 2, totalPrice: money(2000) },
      { id: "li-2", productId: "p-2", name: { en: "Coffee grinder" }, variant: { id: 1, sku: "SKU-2" }, quantity: 1, totalPrice: money(10345) },
    ],
    customLineItems: [],
    ...overrides,
  }) as unknown as Cart;

const hour = 3_600_000;
const context = (now = "2026-11-20T11:00:00.000Z") => ({ personSourceId: "c-1", now: new Date(now), abandonedAfterMs: 24 * hour });

describe("cart threshold", () => {
  it("reads one amount for every currency, amounts per currency, or both", () => {
    expect(parseCartThreshold("50")).toEqual({ default: 50, perCurrency: {} });
    expect(parseCartThreshold("EUR:50, USD:60.5,40")).toEqual({ default: 40, perCurrency: { EUR: 50, USD: 60.5 } });
    expect(parseCartThreshold("")).toEqual({ default: 0, perCurrency: {} });
  });

  it("refuses what is neither, naming the item", () => {
    expect(() => parseCartThreshold("EUR=50")).toThrow(/"EUR=50"/);
    expect(() => parseCartThreshold("-5")).toThrow(/"-5"/);
  });

  it("compares in the currency's minor unit, with its own amount, and never takes an empty cart", () => {
    const threshold = parseCartThreshold("EUR:100,20");
    expect(meetsThreshold({ centAmount: 10000, currencyCode: "EUR", fractionDigits: 2 }, threshold)).toBe(true);
    expect(meetsThreshold({ centAmount: 9999, currencyCode: "EUR", fractionDigits: 2 }, threshold)).toBe(false);
    expect(meetsThreshold({ centAmount: 20, currencyCode: "JPY", fractionDigits: 0 }, threshold)).toBe(true);
    expect(meetsThreshold({ centAmount: 0, currencyCode: "USD", fractionDigits: 2 }, parseCartThreshold("0"))).toBe(false);
  });
});

describe("cart → deal", () => {
  it("maps an active cart of a known customer to an open deal without personal data in its title", () => {
    const deal = cartDealFromCart(cart(), context());
    expect(deal).toMatchObject({
      kind: "deal",
      sourceId: "cart-1",
      sourceVersion: 4,
      dealKey: "ct-cart-cart-1",
      personSourceId: "c-1",
      email: "jane.doe@example.com",
      title: "Cart · 3 items · berlin",
      total: { centAmount: 12345, currencyCode: "EUR", fractionDigits: 2 },
      status: "open",
      storeKey: "berlin",
      lastActivityAt: "2026-11-20T10:00:00.000Z",
    });
    expect(deal.title).not.toMatch(/jane|doe/i);
    expect(deal.lines.map((l) => [l.sku, l.quantity])).toEqual([["SKU-1", 2], ["SKU-2", 1]]);
    expect(deal.lineSummary).toBe("2 x Espresso cup (SKU-1) 20.00 EUR\n1 x Coffee grinder (SKU-2) 103.45 EUR");
    expect(deal.statusAt).toBeUndefined();
  });

  it("counts as abandoned once idle for the configured time, dated from the cart (the same on every derivation)", () => {
    const idle = cartDealFromCart(cart(), context("2026-11-21T10:00:00.000Z"));
    expect(idle).toMatchObject({ status: "abandoned", statusAt: "2026-11-21T10:00:00.000Z" });
    expect(cartDealFromCart(cart(), context("2026-11-23T00:00:00.000Z"))).toEqual(idle);
    expect(cartDealFromCart(cart(), context("2026-11-21T09:59:59.999Z")).status).toBe("open");
  });

  it("is won when ordered, with its order; lost when merged; open while frozen at checkout", () => {
    const order = { id: "o-1", orderNumber: "ON-1", createdAt: "2026-11-20T10:05:00.000Z" };
    expect(cartDealFromCart(cart({ cartState: "Ordered" }), { ...context(), order })).toMatchObject({
      status: "won",
      statusAt: "2026-11-20T10:05:00.000Z",
      orderSourceId: "o-1",
      orderNumber: "ON-1",
    });
    expect(cartDealFromCart(cart({ cartState: "Merged" }), context()).status).toBe("lost");
    expect(cartDealFromCart(cart({ cartState: "Frozen" }), context()).status).toBe("open");
  });

  it("takes carts of a customer or a business unit, never anonymous ones", () => {
    expect(isKnownCart(cart())).toBe(true);
    expect(isKnownCart(cart({ customerId: undefined, businessUnit: { typeId: "business-unit", key: "acme" } }))).toBe(true);
    expect(isKnownCart(cart({ customerId: undefined, anonymousId: "anon-1" }))).toBe(false);
  });
});

describe("deciding a deal against what was written", () => {
  const threshold = parseCartThreshold("50");
  const open = cartDealFromCart(cart(), context());
  const small = cartDealFromCart(cart({ totalPrice: money(1000) }), context());

  it("skips a cart below the threshold that was never written, in any state", () => {
    expect(decideDeal(small, undefined, threshold).kind).toBe("skip");
    expect(decideDeal({ ...small, status: "won" }, undefined, threshold).kind).toBe("skip");
  });

  it("keeps updating a written deal whose cart fell below the threshold, open, with its new amount", () => {
    expect(decideDeal(small, "open", threshold)).toMatchObject({ kind: "write", deal: { status: "open", total: small.total } });
    expect(decideDeal({ ...small, status: "won" }, "open", threshold)).toMatchObject({ kind: "write", deal: { status: "won" } });
  });

  it("never reopens a closed deal; lost gives way to won only", () => {
    expect(decideDeal(open, "won", threshold).kind).toBe("keep");
    expect(decideDeal({ ...open, status: "lost" }, "won", threshold).kind).toBe("keep");
    expect(decideDeal(open, "lost", threshold).kind).toBe("keep");
    expect(decideDeal({ ...open, status: "abandoned" }, "lost", threshold).kind).toBe("keep");
    expect(decideDeal({ ...open, status: "won" }, "lost", threshold).kind).toBe("write");
  });

  it("writes open and abandoned deals either way", () => {
    expect(decideDeal(open, undefined, threshold)).toEqual({ kind: "write", deal: open });
    expect(decideDeal({ ...open, status: "abandoned" }, "open", threshold).kind).toBe("write");
    expect(decideDeal(open, "abandoned", threshold).kind).toBe("write");
  });

  it("closes a deleted cart's deal as lost from the values last written, a version past them", () => {
    const { sourceVersion: _v, ...written } = open;
    expect(lostDeal(written, 5, "2026-11-22T00:00:00.000Z")).toEqual({ ...open, sourceVersion: 5, status: "lost", statusAt: "2026-11-22T00:00:00.000Z" });
  });
});
