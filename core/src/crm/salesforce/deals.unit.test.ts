import { describe, expect, it } from "vitest";
import { cartDealKey } from "../../domain/keys";
import type { CartDeal } from "../../domain/model";
import { dealBody } from "./deals";

const eur = (centAmount: number) => ({ centAmount, currencyCode: "EUR", fractionDigits: 2 });
const deal = (overrides: Partial<CartDeal> = {}): CartDeal => ({
  kind: "deal",
  sourceId: "cart-1",
  sourceVersion: 1,
  dealKey: cartDealKey("cart-1"),
  personSourceId: "cust-1",
  title: "Cart · 2 items",
  total: eur(4990),
  status: "open",
  lines: [],
  lineSummary: "2 x Mug",
  lastActivityAt: "2026-11-30T22:00:00.000Z",
  ...overrides,
});

describe("Salesforce opportunity of a cart", () => {
  it("opens in the opening stage with a close date a week after the cart's last change, the amount in major units", () => {
    expect(dealBody(deal(), false)).toEqual({
      Name: "Cart · 2 items",
      Amount: 49.9,
      CT_Currency__c: "EUR",
      Description: "2 x Mug",
      CT_Cart_Status__c: "Open",
      CT_Contact__r: { CT_Customer_Id__c: "cust-1" },
      StageName: "Prospecting",
      CloseDate: "2026-12-07",
    });
  });

  it("leaves stage and close date to Sales while the cart is open or abandoned", () => {
    for (const status of ["open", "abandoned"] as const) {
      const body = dealBody(deal({ status, companySourceId: "bu-1" }), true);
      expect(body).not.toHaveProperty("StageName");
      expect(body).not.toHaveProperty("CloseDate");
      expect(body).toMatchObject({ CT_Cart_Status__c: status === "open" ? "Open" : "Abandoned", Account: { CT_Business_Unit_Id__c: "bu-1" } });
    }
  });

  it("closes won on the day it was ordered, linked to the order record, and lost likewise, whether the opportunity exists or not", () => {
    const won = deal({ status: "won", statusAt: "2026-12-02T08:00:00.000Z", orderSourceId: "order-1", orderNumber: "1001" });
    for (const exists of [true, false]) {
      expect(dealBody(won, exists)).toMatchObject({
        StageName: "Closed Won",
        CloseDate: "2026-12-02",
        CT_Cart_Status__c: "Ordered",
        CT_Order_Record__r: { CT_Order_Id__c: "order-1" },
        CT_Order_Number__c: "1001",
      });
      expect(dealBody(deal({ status: "lost" }), exists)).toMatchObject({ StageName: "Closed Lost", CloseDate: "2026-11-30", CT_Cart_Status__c: "Lost" });
    }
  });
});
