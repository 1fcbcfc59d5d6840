import type { Cart } from "@commercetools/platform-sdk";
import { lineSummary, type MappingOptions, money, orderLines } from "./commerce-mapping";
import { cartDealKey } from "./keys";
import type { CartDeal, CartDealStatus, Money } from "./model";
import { normaliseEmail } from "./normalise";

/**
 * commercetools carts → cart deals (an opportunity/deal Sales can follow).
 * Pure: the caller reads the cart, its order and the clock.
 */

/**
 * The smallest cart total worth a deal, in major units: one amount for every
 * currency (`default`), and amounts for some currencies (`perCurrency`, by ISO code).
 */
export type CartThreshold = { default: number; perCurrency: Record<string, number> };

/**
 * `CART_MIN_VALUE`: comma-separated items, each `<amount>` (every currency
 * not listed) or `<CURRENCY>:<amount>`, amounts in major units, e.g.
 * `50` or `EUR:50,USD:60,40`. Throws a message naming the item it cannot read.
 */
export function parseCartThreshold(text: string): CartThreshold {
  const threshold: CartThreshold = { default: 0, perCurrency: {} };
  for (const raw of text.split(",").map((item) => item.trim()).filter(Boolean)) {
    const match = /^(?:([A-Z]{3})\s*:\s*)?(\d+(?:\.\d+)?)$/.exec(raw);
    if (!match) throw new Error(`"${raw}" is neither an amount nor CURRENCY:amount (e.g. 50 or EUR:50)`);
    const amount = Number(match[2]);
    if (match[1]) threshold.perCurrency[match[1]] = amount;
    else threshold.default = amount;
  }
  return threshold;
}

/** Whether a cart total is worth a deal: not empty, and at least the threshold of its currency. */
export function meetsThreshold(total: Money, threshold: CartThreshold): boolean {
  const minimum = threshold.perCurrency[total.currencyCode] ?? threshold.default;
  return total.centAmount > 0 && total.centAmount >= Math.round(minimum * 10 ** total.fractionDigits);
}

/** Only carts of a known customer or of a business unit become deals (an anonymous cart has nobody to follow up). */
export const isKnownCart = (cart: Cart): boolean => Boolean(cart.customerId || cart.businessUnit);

export type CartDealContext = {
  personSourceId?: string;
  companySourceId?: string;
  /** The order the cart became, when it did. */
  order?: { id: string; orderNumber?: string; createdAt: string };
  /** The clock's time, and how long an active cart may sit unchanged before it counts as abandoned. */
  now: Date;
  abandonedAfterMs: number;
};

function itemCount(cart: Cart): number {
  return cart.lineItems.reduce((n, item) => n + item.quantity, 0) + (cart.customLineItems ?? []).reduce((n, item) => n + item.quantity, 0);
}

/**
 * Where the cart stands, from its state and the idle clock: an active cart
 * unchanged for `abandonedAfterMs` is abandoned as of that moment (a time
 * derived from the cart, so every derivation agrees); a change makes it open
 * again. Ordered is won; merged into another cart is lost. A frozen cart is
 * one at checkout (its prices locked): still open, and abandoned like an
 * active one when the shopper leaves it there.
 */
function statusOf(cart: Cart, context: CartDealContext): { status: CartDealStatus; statusAt?: string } {
  switch (cart.cartState) {
    case "Ordered":
      return { status: "won", statusAt: context.order?.createdAt ?? cart.lastModifiedAt };
    case "Merged":
      return { status: "lost", statusAt: cart.lastModifiedAt };
    default: {
      const abandonedAt = new Date(Date.parse(cart.lastModifiedAt) + context.abandonedAfterMs);
      return abandonedAt <= context.now ? { status: "abandoned", statusAt: abandonedAt.toISOString() } : { status: "open" };
    }
  }
}

/** The cart as a deal; its title names the item count and the store, never the customer. */
export function cartDealFromCart(cart: Cart, context: CartDealContext, options: MappingOptions = {}): CartDeal {
  const lines = orderLines(cart, options);
  const count = itemCount(cart);
  const storeKey = cart.store?.key;
  const { status, statusAt } = statusOf(cart, context);
  return {
    kind: "deal",
    sourceId: cart.id,
    sourceVersion: cart.version,
    dealKey: cartDealKey(cart.id),
    personSourceId: context.personSourceId,
    companySourceId: context.companySourceId,
    email: normaliseEmail(cart.customerEmail),
    title: ["Cart", `${count} ${count === 1 ? "item" : "items"}`, storeKey].filter(Boolean).join(" · "),
    total: money(cart.totalPrice),
    status,
    lines,
    lineSummary: lineSummary(lines),
    storeKey,
    lastActivityAt: cart.lastModifiedAt,
    ...(statusAt ? { statusAt } : {}),
    ...(status === "won" && context.order ? { orderSourceId: context.order.id, orderNumber: context.order.orderNumber } : {}),
  };
}

/** What to do with a derived deal, given the status last written for it (none: never written). */
export type DealDecision = { kind: "write"; deal: CartDeal } | { kind: "skip"; reason: string } | { kind: "keep"; reason: string };

/**
 * The rules between a derived deal and the CRM: a cart below the threshold
 * that was never written costs no call; one that was keeps being updated (a
 * shopper who took an item out is still a shopper, and Sales should see the
 * amount they would win, not a deal closed behind their back). Won is final,
 * and lost gives way only to won: a late or replayed delivery never reopens
 * a closed deal.
 */
export function decideDeal(deal: CartDeal, written: CartDealStatus | undefined, threshold: CartThreshold): DealDecision {
  if (!written && !meetsThreshold(deal.total, threshold)) return { kind: "skip", reason: "below the cart threshold and never written" };
  if (written === "won" && deal.status !== "won") return { kind: "keep", reason: "the deal is closed as won" };
  if (written === "lost" && deal.status !== "lost" && deal.status !== "won") return { kind: "keep", reason: "the deal is closed as lost" };
  return { kind: "write", deal };
}

/** A deal whose cart is gone (deleted): its last written values, closed as lost. */
export function lostDeal(written: Omit<CartDeal, "sourceVersion">, sourceVersion: number, at: string): CartDeal {
  return { ...written, sourceVersion, status: "lost", statusAt: at };
}
