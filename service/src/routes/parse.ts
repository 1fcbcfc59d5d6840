import type { z } from "zod";
import { HttpError } from "@ct-crm-sync/core/http/base-app";

/** Parses input or answers 400 naming the first field that was wrong. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new HttpError(400, `${where}.${issue?.path.join(".") || ""}: ${issue?.message}`.replace(/\.: /, ": "));
}
