import type { Request } from "express";
import { ApiError, FieldErrors } from "./errors";
import type { Address, Email, Phone } from "./store";

/** The JSON object a POST/PUT must carry. */
export function objectBody(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  if (body === undefined || body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new ApiError(400, "Request body must be a JSON object.");
  }
  return body as Record<string, unknown>;
}

export function optionalString(body: Record<string, unknown>, key: string, errors: Record<string, string>): string | null | undefined {
  const value = body[key];
  if (value === undefined || value === null) return value;
  if (typeof value !== "string") errors[key] = "Not a valid string.";
  return typeof value === "string" ? value : undefined;
}

export function requiredString(body: Record<string, unknown>, key: string, errors: Record<string, string>): string {
  const value = body[key];
  if (typeof value === "string" && value.trim() !== "") return value;
  errors[key] = value === undefined || value === null || value === "" ? "This field is required." : "Not a valid string.";
  return "";
}

/** Deliberately plain: one @, something on both sides, a dot in the domain, no spaces. */
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function readEmails(value: unknown, errors: Record<string, string>, key = "emails"): Email[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    errors[key] = "Expected a list of items.";
    return undefined;
  }
  const emails: Email[] = [];
  for (const item of value) {
    const email = (item as { email?: unknown })?.email;
    if (typeof email !== "string" || !emailPattern.test(email)) {
      errors[key] = "Invalid email address.";
      continue;
    }
    const type = (item as { type?: unknown }).type;
    emails.push({ email, type: typeof type === "string" ? type : "office", is_unsubscribed: false });
  }
  return emails;
}

export function readPhones(value: unknown, errors: Record<string, string>, key = "phones"): Phone[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    errors[key] = "Expected a list of items.";
    return undefined;
  }
  const phones: Phone[] = [];
  for (const item of value) {
    const phone = (item as { phone?: unknown })?.phone;
    if (typeof phone !== "string" || phone.replace(/\D/g, "").length < 3) {
      errors[key] = "Invalid phone number.";
      continue;
    }
    const type = (item as { type?: unknown }).type;
    phones.push({ phone, type: typeof type === "string" ? type : "office" });
  }
  return phones;
}

const addressKeys = ["label", "address_1", "address_2", "city", "state", "zipcode", "country"] as const;

export function readAddresses(value: unknown, errors: Record<string, string>): Address[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    errors.addresses = "Expected a list of items.";
    return undefined;
  }
  return value.map((item) => {
    const source = (item ?? {}) as Record<string, unknown>;
    const address = {} as Address;
    for (const key of addressKeys) {
      const v = source[key];
      if (v !== undefined && v !== null && typeof v !== "string") errors.addresses = `${key}: Not a valid string.`;
      address[key] = typeof v === "string" ? v : null;
    }
    if (address.country !== null && !/^[A-Z]{2}$/.test(address.country)) errors.addresses = "country: Enter a 2-letter ISO country code.";
    return address;
  });
}

export function throwIfAny(errors: Record<string, string>): void {
  if (Object.keys(errors).length > 0) throw new FieldErrors(errors);
}
