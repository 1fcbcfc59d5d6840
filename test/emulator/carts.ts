import type { CommercetoolsMock } from "@labdigital/commercetools-mock";

const ordersPath = /^\/([^/]+)\/(?:in-store\/key=[^/]+\/)?orders\/?$/;
const cartPath = /^\/([^/]+)\/(?:in-store\/key=[^/]+\/)?carts(?:\/([^/]+))?\/?$/;

type StoredCart = { id: string; version: number; cartState: string; totalPrice: { currencyCode: string; fractionDigits: number } };

/** The currency's minor unit digits (ISO 4217), as commercetools keeps them on money. */
const fractionDigitsOf = (currency: string) => new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;

/**
 * Carts where commercetools would have them, after two departures of the emulator:
 *  - a cart's `totalPrice` carries its currency's fraction digits (the
 *    emulator writes 0, so 150.00 EUR reads as 15,000 EUR);
 *  - an order created from a cart leaves the cart `Ordered`, a new version
 *    (the emulator leaves it Active).
 */
export function cartsAsCommercetools(mock: CommercetoolsMock): void {
  mock.app.addHook("onSend", async (request, reply, payload) => {
    if (request.method !== "POST" || reply.statusCode >= 300 || typeof payload !== "string") return payload;
    const path = request.url.split("?")[0] ?? "";
    const order = ordersPath.exec(path);
    if (order) {
      const cartId = (JSON.parse(payload) as { cart?: { id?: string } }).cart?.id;
      const cart = cartId ? await stored(mock, order[1]!, cartId) : undefined;
      if (cart && cart.cartState !== "Ordered") {
        await mock.project(order[1]!).unsafeAdd("cart", { ...cart, cartState: "Ordered", version: cart.version + 1, lastModifiedAt: new Date().toISOString() } as never);
      }
      return payload;
    }
    const cartMatch = cartPath.exec(path);
    if (!cartMatch) return payload;
    const answered = JSON.parse(payload) as StoredCart;
    const digits = answered.totalPrice ? fractionDigitsOf(answered.totalPrice.currencyCode) : undefined;
    if (digits === undefined || answered.totalPrice.fractionDigits === digits) return payload;
    const cart = await stored(mock, cartMatch[1]!, answered.id);
    if (cart) await mock.project(cartMatch[1]!).unsafeAdd("cart", { ...cart, totalPrice: { ...cart.totalPrice, fractionDigits: digits } } as never);
    return JSON.stringify({ ...answered, totalPrice: { ...answered.totalPrice, fractionDigits: digits } });
  });
}

async function stored(mock: CommercetoolsMock, projectKey: string, cartId: string): Promise<StoredCart | undefined> {
  return (await mock.project(projectKey).getRepository("cart").get({ projectKey } as never, cartId)) as StoredCart | undefined;
}
