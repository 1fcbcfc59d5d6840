import { z } from "zod";
import { SyncError, type SyncErrorDetails } from "../../domain/errors";
import { classifyStatus, parseRetryAfter } from "../../reliability/http-errors";
import type { HttpAnswer } from "../kit/transport";

/** Freshsales' error body: `{"errors": {"code": 400, "message": ["Name has already been taken"]}}`. */
const errorBody = z.object({ errors: z.object({ code: z.coerce.number().optional(), message: z.union([z.array(z.string()), z.string()]) }) });

function messagesOf(text: string): string[] {
  try {
    const parsed = errorBody.safeParse(JSON.parse(text));
    if (!parsed.success) return [];
    const { message } = parsed.data.errors;
    return Array.isArray(message) ? message : [message];
  } catch {
    // Not JSON (a proxy's page): the status decides.
    return [];
  }
}

/** Freshsales' words for a refusal (a call's, or one record's in a bulk job's results) as error details. */
export function refusal(status: number, messages: string[]): SyncErrorDetails {
  return { errorClass: classifyStatus(status), status, message: messages.length > 0 ? `Freshsales: ${messages.join("; ")}` : `Freshsales answered HTTP ${status}` };
}

/**
 * A non-2xx answer as a SyncError. Freshsales' messages name fields and
 * rules ("Emails is invalid"), never values, so they are kept for the
 * reviewer. A 429 carries Retry-After when Freshsales sends one; without it
 * the retry policy backs off by itself.
 */
export function freshsalesError({ status, headers, text }: HttpAnswer): SyncError {
  const retryAfterSeconds = status === 429 ? parseRetryAfter(headers.get("retry-after")) : undefined;
  return new SyncError({ ...refusal(status, messagesOf(text)), ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) });
}

/** A unique field's value is held by another record (Freshsales words it as Rails does). */
export function isTaken(details: SyncErrorDetails): boolean {
  return details.errorClass === "validation" && /has already been taken/i.test(details.message);
}
