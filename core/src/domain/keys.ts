import { createHash } from "node:crypto";
import type { WrittenKind } from "./model";

/** Custom-object keys and containers allow only [-_~.a-zA-Z0-9], at most 256 characters. */
const unsafe = /[^-_~.a-zA-Z0-9]/g;

export function safeKeyPart(value: string): string {
  const cleaned = value.replace(unsafe, "-");
  if (cleaned === value && value.length <= 100) return value;
  // Lossy cleaning could collide: suffix a digest of the original.
  const digest = createHash("sha256").update(value).digest("hex").slice(0, 16);
  return `${cleaned.slice(0, 80)}.${digest}`;
}

export function linkKey(connection: string, entity: WrittenKind, sourceId: string): string {
  return [connection, entity, sourceId].map(safeKeyPart).join("_");
}

export type Direction = "ct-to-crm" | "crm-to-ct";

export function failureKey(connection: string, direction: Direction, entity: string, sourceId: string): string {
  return [connection, direction, entity, sourceId].map(safeKeyPart).join("_");
}

/** One order gives one CRM activity, however often it is delivered. */
export function orderActivityKey(orderId: string): string {
  return `ct-order-${orderId}`;
}

/** One cart gives one CRM opportunity/deal, whatever it becomes. */
export function cartDealKey(cartId: string): string {
  return `ct-cart-${cartId}`;
}

/**
 * One transition of one order gives one timeline entry; `occurrence` tells
 * apart transitions that can happen more than once (each refund transaction,
 * each return).
 */
export function orderEventKey(orderId: string, type: string, occurrence?: string): string {
  return occurrence ? `ct-order-${orderId}-${type}-${occurrence}` : `ct-order-${orderId}-${type}`;
}

/** Guests have no customer ID: derive a stable one from the normalised email. */
export function guestSourceId(normalisedEmail: string): string {
  return `guest-${createHash("sha256").update(normalisedEmail).digest("hex").slice(0, 24)}`;
}
