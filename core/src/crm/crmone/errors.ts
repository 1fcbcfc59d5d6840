import { z } from "zod";
import { SyncError } from "../../domain/errors";
import { classifyStatus, parseRetryAfter } from "../../reliability/http-errors";
import type { HttpAnswer } from "../kit/transport";

/** 1CRM's error body: `{"error": "<type>", "message", "hint"}`, any part of it may be missing. */
const errorBody = z.object({ error: z.string().optional(), message: z.string().optional(), hint: z.string().optional() });

function readBody(text: string): z.infer<typeof errorBody> {
  try {
    const parsed = errorBody.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/**
 * A non-2xx answer as a SyncError: the status decides the class (429
 * throttled, 5xx unavailable, 401/403 auth, 404 not found, other 4xx
 * validation), 1CRM's error type becomes the code, and its message and hint
 * are kept for the reviewer (they name fields and rules, not values).
 * Retry-After, where the instance or a proxy in front of it sends one, is the
 * wait the retry policy keeps.
 */
export function crmOneError(answer: Pick<HttpAnswer, "status" | "headers" | "text">): SyncError {
  const body = readBody(answer.text);
  const said = [body.message, body.hint].filter((part) => part !== undefined && part !== "").join(" — ");
  const retryAfterSeconds = parseRetryAfter(answer.headers.get("retry-after"));
  return new SyncError({
    errorClass: classifyStatus(answer.status),
    status: answer.status,
    message: said ? `CRM One: ${said}` : `CRM One answered ${answer.status}`,
    ...(body.error ? { code: body.error } : {}),
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
  });
}
