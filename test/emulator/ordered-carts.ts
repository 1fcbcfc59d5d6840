import type { CommercetoolsMock } from "@labdigital/commercetools-mock";

const ordersPath = /^\/([^/]+)\/(?:in-store\/key=[^/]+\/)?orders\/?$/;

/**
 * commercetools sets a cart's `cartState` to `Ordered` (a new version) when
 * an order is created from it; the emulator leaves the cart Active. This puts
 * the cart where commercetools would, after the order was created.
 */
export function orderedCarts(mock: CommercetoolsMock): void {
  mock.app.addHook("onSend", async (request, reply, payload) => {
    const match = request.method === "POST" && reply.statusCode === 201 ? ordersPath.exec(request.url.split("?")[0] ?? "") : null;
    if (!match || typeof payload !== "string") return payload;
    const cartId = (JSON.parse(payload) as { cart?: { id?: string } }).cart?.id;
    if (!cartId) return payload;
    const project = mock.project(match[1]!);
    const cart = await project.getRepository("cart").get({ projectKey: match[1]! } as never, cartId);
    if (cart && cart.cartState !== "Ordered") {
      await project.unsafeAdd("cart", { ...cart, cartState: "Ordered", version: cart.version + 1, lastModifiedAt: new Date().toISOString() } as never);
    }
    return payload;
  });
}
