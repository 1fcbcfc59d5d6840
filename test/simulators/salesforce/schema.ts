/**
 * Field definitions as data, shaped like a trimmed `describe` result, so the
 * simulator answers unknown fields and objects the way an org does (from the
 * table, not from code paths). The custom fields are the ones the merchant
 * installs for ct-crm-sync (see core/src/crm/salesforce/README.md).
 */
export type FieldType =
  | "id"
  | "string"
  | "textarea"
  | "email"
  | "phone"
  | "boolean"
  | "double"
  | "currency"
  | "int"
  | "date"
  | "datetime"
  | "picklist"
  | "multipicklist"
  | "reference";

export type FieldDef = {
  name: string;
  label: string;
  type: FieldType;
  length?: number;
  /** Required on create (nillable=false, createable, no default). */
  required?: boolean;
  externalId?: boolean;
  unique?: boolean;
  /** System or formula fields: readable, never writable. */
  readOnly?: boolean;
  referenceTo?: string;
  /** Name used for relationship traversal: `Account` for AccountId, `Contact__r` for Contact__c. */
  relationshipName?: string;
  /**
   * Polymorphic lookups (Task.WhatId): every object the field may point at
   * (`referenceTo` is the first); a parent named by external ID must say its
   * type in `attributes`, as the REST API requires.
   */
  polymorphicTo?: string[];
  picklistValues?: string[];
  defaultValue?: string | number | boolean;
};

export type SObjectDef = {
  name: string;
  label: string;
  /** The three-character Id prefix Salesforce uses for this object. */
  keyPrefix: string;
  custom: boolean;
  fields: FieldDef[];
};

const systemFields: FieldDef[] = [
  { name: "Id", label: "Record ID", type: "id", readOnly: true },
  { name: "IsDeleted", label: "Deleted", type: "boolean", readOnly: true },
  { name: "CreatedDate", label: "Created Date", type: "datetime", readOnly: true },
  { name: "LastModifiedDate", label: "Last Modified Date", type: "datetime", readOnly: true },
  { name: "SystemModstamp", label: "System Modstamp", type: "datetime", readOnly: true },
];

const address = (prefix: "Mailing" | "Billing" | "Shipping"): FieldDef[] => [
  { name: `${prefix}Street`, label: `${prefix} Street`, type: "textarea", length: 255 },
  { name: `${prefix}City`, label: `${prefix} City`, type: "string", length: 40 },
  { name: `${prefix}State`, label: `${prefix} State/Province`, type: "string", length: 80 },
  { name: `${prefix}PostalCode`, label: `${prefix} Zip/Postal Code`, type: "string", length: 20 },
  { name: `${prefix}Country`, label: `${prefix} Country`, type: "string", length: 80 },
];

export const sobjects: SObjectDef[] = [
  {
    name: "Account",
    label: "Account",
    keyPrefix: "001",
    custom: false,
    fields: [
      ...systemFields,
      { name: "Name", label: "Account Name", type: "string", length: 255, required: true },
      { name: "ParentId", label: "Parent Account ID", type: "reference", referenceTo: "Account", relationshipName: "Parent" },
      { name: "Type", label: "Account Type", type: "picklist", picklistValues: ["Prospect", "Customer - Direct", "Customer - Channel", "Other"] },
      { name: "Phone", label: "Account Phone", type: "phone", length: 40 },
      { name: "Website", label: "Website", type: "string", length: 255 },
      { name: "Description", label: "Account Description", type: "textarea", length: 32000 },
      ...address("Billing"),
      ...address("Shipping"),
      { name: "CT_Business_Unit_Id__c", label: "commercetools Business Unit ID", type: "string", length: 255, externalId: true, unique: true },
      { name: "CT_Business_Unit_Key__c", label: "commercetools Business Unit Key", type: "string", length: 255 },
      { name: "CT_Unit_Type__c", label: "commercetools Unit Type", type: "string", length: 40 },
      { name: "CT_Store_Keys__c", label: "commercetools Stores", type: "string", length: 255 },
    ],
  },
  {
    name: "Contact",
    label: "Contact",
    keyPrefix: "003",
    custom: false,
    fields: [
      ...systemFields,
      { name: "FirstName", label: "First Name", type: "string", length: 40 },
      { name: "LastName", label: "Last Name", type: "string", length: 80, required: true },
      { name: "Name", label: "Full Name", type: "string", length: 121, readOnly: true },
      { name: "Email", label: "Email", type: "email", length: 80 },
      { name: "Phone", label: "Business Phone", type: "phone", length: 40 },
      { name: "MobilePhone", label: "Mobile Phone", type: "phone", length: 40 },
      { name: "Title", label: "Title", type: "string", length: 128 },
      { name: "Description", label: "Contact Description", type: "textarea", length: 32000 },
      { name: "AccountId", label: "Account ID", type: "reference", referenceTo: "Account", relationshipName: "Account" },
      { name: "HasOptedOutOfEmail", label: "Email Opt Out", type: "boolean", defaultValue: false },
      ...address("Mailing"),
      { name: "CT_Customer_Id__c", label: "commercetools Customer ID", type: "string", length: 255, externalId: true, unique: true },
      { name: "CT_Roles__c", label: "commercetools Roles", type: "string", length: 255 },
      { name: "CT_Locale__c", label: "commercetools Locale", type: "string", length: 40 },
      { name: "CT_Last_Purchase_Date__c", label: "Last Purchase Date", type: "datetime" },
      { name: "CT_Lifetime_Value__c", label: "Lifetime Value", type: "currency" },
      { name: "CT_Order_Count__c", label: "Order Count", type: "double" },
      { name: "CT_Follow_Up__c", label: "Follow Up", type: "boolean", defaultValue: false },
      { name: "CT_Segments__c", label: "Segments", type: "multipicklist", picklistValues: ["VIP", "B2B", "Newsletter", "Wholesale"] },
    ],
  },
  {
    name: "Opportunity",
    label: "Opportunity",
    keyPrefix: "006",
    custom: false,
    fields: [
      ...systemFields,
      { name: "Name", label: "Name", type: "string", length: 120, required: true },
      { name: "AccountId", label: "Account ID", type: "reference", referenceTo: "Account", relationshipName: "Account" },
      { name: "ContactId", label: "Contact ID", type: "reference", referenceTo: "Contact", relationshipName: "Contact" },
      { name: "StageName", label: "Stage", type: "picklist", required: true, picklistValues: ["Prospecting", "Qualification", "Negotiation/Review", "Closed Won", "Closed Lost"] },
      { name: "Amount", label: "Amount", type: "currency" },
      { name: "CloseDate", label: "Close Date", type: "date", required: true },
      { name: "Description", label: "Description", type: "textarea", length: 32000 },
      // Derived from the stage by the org (the stage's "Closed"/"Won" flags in the sales process).
      { name: "IsClosed", label: "Closed", type: "boolean", readOnly: true },
      { name: "IsWon", label: "Won", type: "boolean", readOnly: true },
      { name: "CT_Cart_Key__c", label: "commercetools Cart Key", type: "string", length: 255, externalId: true, unique: true },
      { name: "CT_Cart_Status__c", label: "Cart Status", type: "picklist", picklistValues: ["Open", "Abandoned", "Ordered", "Lost"] },
      { name: "CT_Contact__c", label: "commercetools Customer", type: "reference", referenceTo: "Contact", relationshipName: "CT_Contact__r" },
      { name: "CT_Order_Record__c", label: "commercetools Order", type: "reference", referenceTo: "CT_Order__c", relationshipName: "CT_Order_Record__r" },
      { name: "CT_Order_Number__c", label: "Order Number", type: "string", length: 80 },
      { name: "CT_Currency__c", label: "Currency", type: "string", length: 3 },
      { name: "CT_Store_Key__c", label: "Store", type: "string", length: 255 },
    ],
  },
  {
    // Products on an opportunity; in an org ProductCode is read from the price book entry's product, here it is stored as given.
    name: "OpportunityLineItem",
    label: "Opportunity Product",
    keyPrefix: "00k",
    custom: false,
    fields: [
      ...systemFields,
      { name: "OpportunityId", label: "Opportunity ID", type: "reference", referenceTo: "Opportunity", relationshipName: "Opportunity", required: true },
      { name: "ProductCode", label: "Product Code", type: "string", length: 255 },
      { name: "Quantity", label: "Quantity", type: "double", required: true },
      { name: "UnitPrice", label: "Sales Price", type: "currency" },
    ],
  },
  {
    name: "CT_Order__c",
    label: "commercetools Order",
    keyPrefix: "a0C",
    custom: true,
    fields: [
      ...systemFields,
      { name: "Name", label: "Order Number", type: "string", length: 80, required: true },
      { name: "CT_Order_Id__c", label: "commercetools Order ID", type: "string", length: 255, externalId: true, unique: true },
      { name: "Contact__c", label: "Contact", type: "reference", referenceTo: "Contact", relationshipName: "Contact__r" },
      { name: "Account__c", label: "Account", type: "reference", referenceTo: "Account", relationshipName: "Account__r" },
      { name: "CT_Total__c", label: "Total", type: "currency" },
      { name: "CT_Currency__c", label: "Currency", type: "string", length: 3 },
      { name: "CT_Order_State__c", label: "Order State", type: "string", length: 40 },
      { name: "CT_Payment_State__c", label: "Payment State", type: "string", length: 40 },
      { name: "CT_Shipment_State__c", label: "Shipment State", type: "string", length: 40 },
      { name: "CT_Line_Items__c", label: "Line Items", type: "textarea", length: 32768 },
      { name: "CT_Ordered_At__c", label: "Ordered At", type: "datetime" },
      { name: "CT_Store_Key__c", label: "Store", type: "string", length: 255 },
    ],
  },
  {
    name: "Task",
    label: "Task",
    keyPrefix: "00T",
    custom: false,
    fields: [
      ...systemFields,
      { name: "Subject", label: "Subject", type: "string", length: 255 },
      { name: "WhoId", label: "Name ID", type: "reference", referenceTo: "Contact", relationshipName: "Who" },
      {
        name: "WhatId",
        label: "Related To ID",
        type: "reference",
        referenceTo: "Account",
        polymorphicTo: ["Account", "Opportunity", "CT_Order__c"],
        relationshipName: "What",
      },
      { name: "Status", label: "Status", type: "picklist", picklistValues: ["Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred"], defaultValue: "Not Started" },
      { name: "Priority", label: "Priority", type: "picklist", picklistValues: ["High", "Normal", "Low"], defaultValue: "Normal" },
      { name: "ActivityDate", label: "Due Date Only", type: "date" },
      { name: "Description", label: "Description", type: "textarea", length: 32000 },
      // Activity custom fields (Setup → Object Manager → Activity), the key an External ID so Task upserts on it.
      { name: "CT_Event_Key__c", label: "commercetools Event Key", type: "string", length: 255, externalId: true, unique: true },
      { name: "CT_Event_Type__c", label: "Order Event", type: "string", length: 40 },
      { name: "CT_Amount__c", label: "Amount", type: "currency" },
      { name: "CT_Currency__c", label: "Currency", type: "string", length: 3 },
    ],
  },
];

const byName = new Map(sobjects.map((o) => [o.name.toLowerCase(), o]));

/** Object names are case-insensitive in Salesforce URLs and SOQL. */
export function findSObject(name: string): SObjectDef | undefined {
  return byName.get(name.toLowerCase());
}

export function findField(object: SObjectDef, name: string): FieldDef | undefined {
  const lower = name.toLowerCase();
  return object.fields.find((f) => f.name.toLowerCase() === lower);
}

export function findRelationship(object: SObjectDef, relationshipName: string): FieldDef | undefined {
  const lower = relationshipName.toLowerCase();
  return object.fields.find((f) => f.relationshipName?.toLowerCase() === lower);
}

/** The describe answer, trimmed to what clients read. */
export function describe(object: SObjectDef, apiPath: string) {
  return {
    name: object.name,
    label: object.label,
    keyPrefix: object.keyPrefix,
    custom: object.custom,
    createable: true,
    updateable: true,
    queryable: true,
    urls: { sobject: `${apiPath}/sobjects/${object.name}`, describe: `${apiPath}/sobjects/${object.name}/describe` },
    fields: object.fields.map((f) => ({
      name: f.name,
      label: f.label,
      type: f.type,
      length: f.length ?? 0,
      nillable: !f.required && f.type !== "boolean",
      createable: !f.readOnly,
      updateable: !f.readOnly,
      externalId: f.externalId ?? false,
      unique: f.unique ?? false,
      idLookup: f.type === "id" || (f.externalId ?? false),
      referenceTo: f.polymorphicTo ?? (f.referenceTo ? [f.referenceTo] : []),
      relationshipName: f.relationshipName ?? null,
      picklistValues: (f.picklistValues ?? []).map((value) => ({ value, label: value, active: true })),
      defaultValue: f.defaultValue ?? null,
    })),
  };
}
