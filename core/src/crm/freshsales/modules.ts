import type { Clock } from "../../ports/clock";
import type { Call } from "./connection";
import { accountIdField, cartKeyField, contactIdField, dealIdField, type Module } from "./fields";
import type { KnownIds } from "./known-ids";
import type { Body } from "./mapping";

/** A module as the writes address it: its path, the key of one record in a body, our unique field. */
export type ModuleSpec = { module: Module; one: string; idField: string };
export const contactsModule: ModuleSpec = { module: "contacts", one: "contact", idField: contactIdField };
export const accountsModule: ModuleSpec = { module: "sales_accounts", one: "sales_account", idField: accountIdField };
export const dealsModule: ModuleSpec = { module: "deals", one: "deal", idField: dealIdField };
/** Cart deals live among the deals, upserted on their own unique key field. */
export const cartDealsModule: ModuleSpec = { module: "deals", one: "deal", idField: cartKeyField };

/** One record to write: its commercetools ID, its body and (default: our unique field) the identifier it is upserted on. */
export type Item = { sourceId: string; body: Body; identifier?: Record<string, string> };

export const identifierOf = (spec: ModuleSpec, item: Item) => item.identifier ?? { [spec.idField]: item.sourceId };

/** A write call: the connection, the IDs it has learnt, the clock bulk jobs are awaited on. */
export type WriteCall = Call & { known: KnownIds; clock: Clock };
