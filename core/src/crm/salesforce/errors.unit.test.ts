import { describe, expect, it } from "vitest";
import { recordError } from "./errors";

describe("Salesforce record errors", () => {
  const race = {
    statusCode: "DUPLICATE_VALUE",
    message: "duplicate value found: CT_Customer_Id__c duplicates value on record with id: 003000000000001AAA",
    fields: ["CT_Customer_Id__c"],
  };

  it("takes DUPLICATE_VALUE on the external ID of an upsert for a race with another writer: a conflict, retried", () => {
    expect(recordError([race], "CT_Customer_Id__c")).toMatchObject({ errorClass: "conflict", code: "DUPLICATE_VALUE" });
    expect(recordError([{ ...race, fields: [] }], "CT_Customer_Id__c").errorClass).toBe("conflict");
  });

  it("keeps DUPLICATE_VALUE on another unique field a validation error for review", () => {
    const other = { statusCode: "DUPLICATE_VALUE", message: "duplicate value found: Loyalty_Number__c duplicates value on record with id: 003000000000002AAA", fields: ["Loyalty_Number__c"] };
    expect(recordError([other], "CT_Customer_Id__c").errorClass).toBe("validation");
    expect(recordError([race]).errorClass).toBe("validation");
  });
});
