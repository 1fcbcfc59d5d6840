import type {
  BusinessUnit,
  BusinessUnitUpdateAction,
  Cart,
  CartDraft,
  CartUpdateAction,
  Customer,
  CustomerDraft,
  CustomerUpdateAction,
  Type,
} from "@commercetools/platform-sdk";
import { SyncError } from "../domain/errors";
import type { CommerceWriter, CustomFieldsResource } from "../ports/commerce";
import { ConcurrentModificationError } from "../ports/key-value-store";
import { type CommercetoolsApi, concurrentModificationVersion, isNotFound, statusOf } from "./client";

type CtErrorBody = { body?: { errors?: { code?: string; field?: string }[] } };

/**
 * A refused write as the failure store keeps it: the status and the error
 * codes (with the field a code names), never commercetools' message, which
 * can quote the refused value (an email address).
 */
export function commerceError(error: unknown, what: string): Error {
  if (error instanceof SyncError) return error;
  const status = statusOf(error);
  if (status === undefined) return new SyncError({ errorClass: "unknown", message: `commercetools did not answer ${what}` }, { cause: error });
  const codes = ((error as CtErrorBody).body?.errors ?? []).map((e) => (e.field ? `${e.code} (${e.field})` : e.code)).filter(Boolean);
  const message = `commercetools refused ${what}: HTTP ${status}${codes.length ? `, ${codes.join(", ")}` : ""}`;
  const errorClass = status === 404 ? "not_found" : status === 409 ? "conflict" : status === 429 ? "throttled" : status >= 500 ? "unknown" : "validation";
  return new SyncError({ errorClass, message, status, ...(codes[0] ? { code: codes[0].split(" ")[0] } : {}) }, { cause: error });
}

/** Runs one versioned update: a concurrent change is a ConcurrentModificationError (the caller re-reads and decides again). */
async function versioned<T>(kind: string, id: string, update: () => Promise<T>): Promise<T> {
  try {
    return await update();
  } catch (error) {
    const current = concurrentModificationVersion(error);
    if (current !== false) throw new ConcurrentModificationError(kind, id, current);
    throw commerceError(error, `the ${kind} update`);
  }
}

async function unlessMissing<T>(what: string, read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw commerceError(error, what);
  }
}

/** commercetools writes for changes that come from the CRM, and the reads they are decided on. */
export class CommercetoolsWriter implements CommerceWriter {
  constructor(protected readonly api: CommercetoolsApi) {}

  customerWithGroup(id: string): Promise<Customer | undefined> {
    return unlessMissing("the customer read", async () => (await this.api.customers().withId({ ID: id }).get({ queryArgs: { expand: ["customerGroup"] } }).execute()).body);
  }

  updateCustomer(id: string, version: number, actions: CustomerUpdateAction[]): Promise<Customer> {
    return versioned("customer", id, async () => (await this.api.customers().withId({ ID: id }).post({ body: { version, actions } }).execute()).body);
  }

  /** Creates the customer, or answers the one already holding its key (creating twice makes one). */
  async createCustomer(draft: CustomerDraft & { key: string }): Promise<Customer> {
    try {
      return (await this.api.customers().post({ body: draft }).execute()).body.customer;
    } catch (error) {
      const existing = await unlessMissing("the customer read", async () => (await this.api.customers().withKey({ key: draft.key }).get().execute()).body);
      if (existing) return existing;
      throw commerceError(error, "the customer creation");
    }
  }

  businessUnit(id: string): Promise<BusinessUnit | undefined> {
    return unlessMissing("the business unit read", async () => (await this.api.businessUnits().withId({ ID: id }).get().execute()).body);
  }

  updateBusinessUnit(id: string, version: number, actions: BusinessUnitUpdateAction[]): Promise<BusinessUnit> {
    return versioned("business-unit", id, async () => (await this.api.businessUnits().withId({ ID: id }).post({ body: { version, actions } }).execute()).body);
  }

  customerGroupId(key: string): Promise<string | undefined> {
    return unlessMissing("the customer group read", async () => (await this.api.customerGroups().withKey({ key }).get().execute()).body.id);
  }

  cartByKey(key: string): Promise<Cart | undefined> {
    return unlessMissing("the cart read", async () => (await this.api.carts().withKey({ key }).get().execute()).body);
  }

  /** Creates the cart, or answers the one already holding its key. */
  async createCart(draft: CartDraft & { key: string }): Promise<Cart> {
    try {
      return (await this.api.carts().post({ body: draft }).execute()).body;
    } catch (error) {
      const existing = await this.cartByKey(draft.key);
      if (existing) return existing;
      throw commerceError(error, "the cart creation");
    }
  }

  updateCart(id: string, version: number, actions: CartUpdateAction[]): Promise<Cart> {
    return versioned("cart", id, async () => (await this.api.carts().withId({ ID: id }).post({ body: { version, actions } }).execute()).body);
  }

  /** Types that custom fields of this resource may carry (a project has a handful). */
  async typesFor(resource: CustomFieldsResource): Promise<Type[]> {
    try {
      const { body } = await this.api.types().get({ queryArgs: { limit: 500, withTotal: false } }).execute();
      return body.results.filter((t) => t.resourceTypeIds.includes(resource));
    } catch (error) {
      throw commerceError(error, "the types read");
    }
  }
}
