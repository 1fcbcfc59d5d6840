import type { Company, OrderActivity, Person, PostalAddress } from "../../domain/model";
import { toMajorUnits } from "../../domain/money";

/**
 * Canonical record → Salesforce fields. The only place that knows field names;
 * the merchant installs the custom ones (README.md lists them).
 * Absent canonical values are left out (an upsert then keeps what the org has);
 * `extra` values are sent as given, null clears a field.
 */
export type SObjectBody = Record<string, unknown>;

export const contactObject = "Contact";
export const accountObject = "Account";
export const orderObject = "CT_Order__c";
export const contactExternalId = "CT_Customer_Id__c";
export const accountExternalId = "CT_Business_Unit_Id__c";
export const orderExternalId = "CT_Order_Id__c";

/**
 * Salesforce requires Contact.LastName; commercetools does not (email-only
 * sign-ups, guests). Without a last name we send this placeholder, the
 * convention Salesforce itself uses for Web-to-Lead.
 */
const lastNamePlaceholder = "[not provided]";

/** Fields the org must have, checked by ensureSchema. */
export const requiredFields: Record<string, string[]> = {
  [contactObject]: [contactExternalId, "CT_Roles__c", "CT_Locale__c", "CT_Last_Purchase_Date__c", "CT_Lifetime_Value__c", "CT_Order_Count__c"],
  [accountObject]: [accountExternalId, "CT_Business_Unit_Key__c", "CT_Unit_Type__c", "CT_Store_Keys__c"],
  [orderObject]: [
    ...[orderExternalId, "Contact__c", "Account__c", "CT_Total__c", "CT_Currency__c", "CT_Order_State__c", "CT_Payment_State__c"],
    ...["CT_Shipment_State__c", "CT_Line_Items__c", "CT_Ordered_At__c", "CT_Store_Key__c"],
  ],
};

// Text field lengths in the org; longer canonical values are cut rather than refused.
const longTextMax = 32_768;
const nameMax = 80;

const defined = (body: SObjectBody): SObjectBody => Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));

function address(prefix: "Mailing" | "Billing", a: PostalAddress | undefined): SObjectBody {
  if (!a) return {};
  return {
    [`${prefix}Street`]: a.streetLine,
    [`${prefix}City`]: a.city,
    [`${prefix}PostalCode`]: a.postalCode,
    [`${prefix}State`]: a.region,
    // ISO alpha-2 into the text field; orgs with State and Country picklists use ...CountryCode instead (map it via `extra`).
    [`${prefix}Country`]: a.country,
  };
}

/** Multi-valued canonical fields become `a;b`, the multi-select picklist format. */
const joinList = (values: string[] | undefined) => (values && values.length ? values.join(";") : undefined);

export function contactBody(p: Person): SObjectBody {
  return defined({
    FirstName: p.firstName,
    LastName: p.lastName?.trim() ? p.lastName : lastNamePlaceholder,
    Email: p.email,
    Phone: p.phone,
    ...address("Mailing", p.address),
    ...(p.companySourceId ? { Account: { [accountExternalId]: p.companySourceId } } : {}),
    CT_Roles__c: joinList(p.roles),
    CT_Locale__c: p.locale,
    HasOptedOutOfEmail: p.emailConsent ? !p.emailConsent.granted : undefined,
    CT_Last_Purchase_Date__c: p.lastPurchaseAt,
    CT_Lifetime_Value__c: p.lifetimeValue ? toMajorUnits(p.lifetimeValue) : undefined,
    CT_Order_Count__c: p.orderCount,
    ...p.extra,
  });
}

export function accountBody(c: Company): SObjectBody {
  return defined({
    Name: c.name,
    ...(c.parentSourceId ? { Parent: { [accountExternalId]: c.parentSourceId } } : {}),
    ...address("Billing", c.address),
    CT_Business_Unit_Key__c: c.key,
    CT_Unit_Type__c: c.unitType,
    CT_Store_Keys__c: joinList(c.storeKeys),
    ...c.extra,
  });
}

export function orderBody(o: OrderActivity): SObjectBody {
  return defined({
    Name: (o.orderNumber ?? o.sourceId).slice(0, nameMax),
    ...(o.personSourceId ? { Contact__r: { [contactExternalId]: o.personSourceId } } : {}),
    ...(o.companySourceId ? { Account__r: { [accountExternalId]: o.companySourceId } } : {}),
    // A currency field holds major units in the org currency; the order's own currency sits beside it.
    CT_Total__c: toMajorUnits(o.total),
    CT_Currency__c: o.total.currencyCode,
    CT_Order_State__c: o.orderState,
    CT_Payment_State__c: o.paymentState,
    CT_Shipment_State__c: o.shipmentState,
    CT_Line_Items__c: o.lineSummary.slice(0, longTextMax),
    CT_Ordered_At__c: o.createdAt,
    CT_Store_Key__c: o.storeKey,
    ...o.extra,
  });
}
