import { describe, expect, it } from "vitest";
import type { CartDeal, OrderEvent } from "../../domain/model";
import { cartDealBody } from "./mapping";
import { keyLinePattern, noteText } from "./order-events";

const cart = (overrides: Partial<CartDeal> = {}): CartDeal => ({
  ...{ kind: "deal", sourceId: "cart-1", sourceVersion: 2, dealKey: "ct-cart-cart-1", personSourceId: "cust-1", title: "Cart · 2 items · berlin" },
  total: { centAmount: 4990, currencyCode: "EUR", fractionDigits: 2 },
  ...{ status: "open", lines: [], lineSummary: "2 x Cup (SKU-1) 49.90 EUR", storeKey: "berlin", lastActivityAt: "2026-11-20T10:00:00.000Z" },
  ...overrides,
});
const stages = { won: 9003, lost: 9004 };

const refund: OrderEvent = {
  ...{ kind: "order-event", sourceId: "ct-order-ord-1-refunded-tx-9", orderSourceId: "ord-1", orderNumber: "SB-1001", orderActivityKey: "ct-order-ord-1" },
  ...{ personSourceId: "cust-1", type: "refunded", at: "2026-11-21T10:05:00.000Z", amount: { centAmount: 1234, currencyCode: "EUR", fractionDigits: 2 }, detail: "1 item refunded" },
};

describe("Freshsales cart deals and order notes", () => {
  it("writes a cart's deal on its key: amount in major units, the stage only when won or lost, abandoned as the status field", () => {
    expect(cartDealBody(cart(), { contact: 11, account: 22 }, stages)).toEqual({
      name: "Cart · 2 items · berlin",
      amount: 49.9,
      contacts_added_list: [11],
      sales_account_id: 22,
      custom_field: {
        cf_ct_cart_key: "ct-cart-cart-1",
        cf_ct_cart_status: "open",
        cf_ct_currency: "EUR",
        cf_ct_line_summary: "2 x Cup (SKU-1) 49.90 EUR",
        cf_ct_store_key: "berlin",
        cf_ct_cart_activity_at: "2026-11-20T10:00:00.000Z",
      },
    });
    const abandoned = cartDealBody(cart({ status: "abandoned" }), { contact: 11 }, stages);
    expect(abandoned.deal_stage_id).toBeUndefined();
    expect(abandoned.custom_field).toMatchObject({ cf_ct_cart_status: "abandoned" });
    const won = cartDealBody(cart({ status: "won", orderSourceId: "ord-1", orderNumber: "SB-1001" }), { contact: 11 }, stages);
    expect(won).toMatchObject({ deal_stage_id: 9003, custom_field: { cf_ct_cart_status: "won", cf_ct_cart_order_id: "ord-1", cf_ct_order_number: "SB-1001" } });
    expect(cartDealBody(cart({ status: "lost" }), { contact: 11 }, stages).deal_stage_id).toBe(9004);
  });

  it("words an order transition as a note whose last line carries the order and the entry's key, read back by the same pattern", () => {
    const text = noteText(refund);
    expect(text).toBe("Order SB-1001 refunded · 12.34 EUR\n1 item refunded\nOn 2026-11-21 10:05 UTC\ncommercetools order ord-1 · entry ct-order-ord-1-refunded-tx-9");
    expect(keyLinePattern.exec(text)?.slice(1)).toEqual(["ord-1", "ct-order-ord-1-refunded-tx-9"]);
    expect(noteText({ ...refund, type: "shipped", amount: undefined, detail: undefined, orderNumber: undefined })).toBe(
      "Order ord-1 shipped\nOn 2026-11-21 10:05 UTC\ncommercetools order ord-1 · entry ct-order-ord-1-refunded-tx-9",
    );
    // A salesperson's note quoting a key inside a sentence is not one of ours.
    expect(keyLinePattern.exec("see commercetools order ord-1 · entry ct-order-ord-1-paid, as discussed")).toBeNull();
  });
});
