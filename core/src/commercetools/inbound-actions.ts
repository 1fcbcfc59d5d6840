import type {
  Address,
  BaseAddress,
  BusinessUnit,
  BusinessUnitUpdateAction,
  CartUpdateAction,
  Customer,
  CustomerUpdateAction,
  CustomFields,
} from "@commercetools/platform-sdk";
import { SyncError } from "../domain/errors";
import { type CartLineChange, type FieldValues, inboundTargets } from "../domain/inbound";

/**
 * Field-space values (domain/inbound.ts) as commercetools update actions.
 * Pure: the caller has read the resource these actions are decided on.
 */

/** The address a person's or company's standard address fields are: the default billing one, else shipping, else the first. */
function mainAddress(resource: { addresses: Address[]; defaultBillingAddressId?: string; defaultShippingAddressId?: string }): Address | undefined {
  const id = resource.defaultBillingAddressId ?? resource.defaultShippingAddressId;
  return resource.addresses.find((a) => a.id === id) ?? resource.addresses[0];
}

/** Address fields of `apply` on top of the current address; undefined when none changed. */
function changedAddress(current: Address | undefined, apply: FieldValues): BaseAddress | undefined {
  const touched = Object.keys(apply).filter((k) => k.startsWith("address.") || k === "phone");
  if (touched.length === 0) return undefined;
  const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  const next: Record<string, unknown> = { ...(current ?? {}) };
  delete next.id;
  const set = (key: string, value: unknown) => (value === undefined ? delete next[key] : (next[key] = value));
  if ("address.streetLine" in apply) {
    // The canonical street line is name and number joined: the CRM's line becomes the name.
    set("streetName", text(apply["address.streetLine"]));
    set("streetNumber", undefined);
  }
  if ("address.city" in apply) set("city", text(apply["address.city"]));
  if ("address.postalCode" in apply) set("postalCode", text(apply["address.postalCode"]));
  if ("address.region" in apply) {
    set("region", text(apply["address.region"]));
    set("state", undefined);
  }
  if ("address.country" in apply && text(apply["address.country"])) set("country", apply["address.country"]);
  // The canonical phone is the mobile number when there is one.
  if ("phone" in apply) set(current?.mobile ? "mobile" : "phone", text(apply.phone));
  if (typeof next.country !== "string") {
    throw new SyncError({ errorClass: "validation", message: "the CRM's address has no country, which a commercetools address needs" });
  }
  return next as unknown as BaseAddress;
}

/** The key of an address added for CRM values (the resource had none). */
const crmAddressKey = "crm";

function addressActions(current: Address | undefined, apply: FieldValues): ({ action: "changeAddress"; addressId: string; address: BaseAddress } | { action: "addAddress"; address: BaseAddress } | { action: "setDefaultBillingAddress"; addressKey: string })[] {
  const address = changedAddress(current, apply);
  if (!address) return [];
  if (current) return [{ action: "changeAddress", addressId: current.id!, address }];
  return [
    { action: "addAddress", address: { ...address, key: crmAddressKey } },
    { action: "setDefaultBillingAddress", addressKey: crmAddressKey },
  ];
}

/** Custom field values to set (`custom.<name>` paths), and those to remove (null), given what the resource carries. */
function customFieldActions(custom: CustomFields | undefined, values: Record<string, unknown>, typeKey: string | undefined) {
  const names = Object.keys(values);
  if (names.length === 0) return [];
  if (!custom) {
    if (!typeKey) throw new SyncError({ errorClass: "validation", message: `no custom type defines ${names.join(", ")}: run the service's postDeploy to install them` });
    const fields = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null && v !== undefined));
    return [{ action: "setCustomType" as const, type: { typeId: "type" as const, key: typeKey }, fields }];
  }
  return Object.entries(values)
    .filter(([name, value]) => !((value === null || value === undefined) && !(name in custom.fields)))
    .map(([name, value]) => ({ action: "setCustomField" as const, name, ...(value === null || value === undefined ? {} : { value }) }));
}

const customValues = (apply: FieldValues) =>
  Object.fromEntries(Object.entries(apply).filter(([path]) => path.startsWith("custom.")).map(([path, value]) => [path.slice("custom.".length), value]));

export type CustomerActionContext = {
  /** The type given to a customer that carries none. */
  typeKey: string | undefined;
  /** Customer group IDs by key, resolved by the caller (a missing group is the caller's failure to report). */
  groupIds: Map<string, string>;
  /** The consent state written with an applied consent flag. */
  consent?: { at: string; source?: string };
};

/** The consent custom fields of the canonical model (commerce-mapping.ts). */
const consentFields = { granted: "emailMarketingConsent", at: "emailMarketingConsentAt", source: "emailMarketingConsentSource" } as const;

export function customerActions(customer: Customer, apply: FieldValues, context: CustomerActionContext): CustomerUpdateAction[] {
  const actions: CustomerUpdateAction[] = [];
  if ("firstName" in apply) actions.push({ action: "setFirstName", ...(typeof apply.firstName === "string" ? { firstName: apply.firstName } : {}) });
  if ("lastName" in apply) actions.push({ action: "setLastName", ...(typeof apply.lastName === "string" ? { lastName: apply.lastName } : {}) });
  if (typeof apply.email === "string") actions.push({ action: "changeEmail", email: apply.email });
  actions.push(...addressActions(mainAddress(customer), apply));
  const custom = customValues(apply);
  if ("emailConsent.granted" in apply && typeof apply["emailConsent.granted"] === "boolean" && context.consent) {
    Object.assign(custom, { [consentFields.granted]: apply["emailConsent.granted"], [consentFields.at]: context.consent.at, [consentFields.source]: context.consent.source ?? null });
  }
  actions.push(...customFieldActions(customer.custom, custom, context.typeKey));
  if (inboundTargets.customerGroup in apply) {
    const key = apply[inboundTargets.customerGroup];
    const id = typeof key === "string" ? context.groupIds.get(key) : undefined;
    actions.push({ action: "setCustomerGroup", ...(id ? { customerGroup: { typeId: "customer-group", id } } : {}) });
  }
  return actions;
}

export function businessUnitActions(unit: BusinessUnit, apply: FieldValues, typeKey: string | undefined): BusinessUnitUpdateAction[] {
  const actions: BusinessUnitUpdateAction[] = [];
  if (typeof apply.name === "string") actions.push({ action: "changeName", name: apply.name });
  if ("email" in apply) actions.push({ action: "setContactEmail", ...(typeof apply.email === "string" ? { contactEmail: apply.email } : {}) });
  actions.push(...addressActions(mainAddress(unit), apply));
  actions.push(...customFieldActions(unit.custom, customValues(apply), typeKey));
  return actions;
}

export function cartLineActions(changes: CartLineChange[]): CartUpdateAction[] {
  return changes.map((c): CartUpdateAction =>
    c.kind === "add"
      ? { action: "addLineItem", sku: c.sku, quantity: c.quantity }
      : c.kind === "set"
        ? { action: "changeLineItemQuantity", lineItemId: c.lineItemId, quantity: c.quantity }
        : { action: "removeLineItem", lineItemId: c.lineItemId },
  );
}
