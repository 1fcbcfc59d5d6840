import { z } from "zod";
import { type CartThreshold, parseCartThreshold } from "../domain/cart-mapping";

/** The merchant's cart settings, read by every app that syncs carts (event and job). */
export const cartEnv = z.object({
  /** Smallest cart total worth a deal, in major units: `50`, or per currency `EUR:50,USD:60,40` (a bare amount for the rest). */
  CART_MIN_VALUE: z
    .string()
    .default("0")
    .transform((text, ctx) => {
      try {
        return parseCartThreshold(text);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /** Hours an active cart may sit unchanged before its deal is flagged abandoned. */
  CART_ABANDONED_AFTER_HOURS: z.coerce.number().gt(0).max(24 * 90).default(24),
});

export type CartSettings = { threshold: CartThreshold; abandonedAfterMs: number };

export function cartSettingsFrom(env: z.infer<typeof cartEnv>): CartSettings {
  return { threshold: env.CART_MIN_VALUE, abandonedAfterMs: env.CART_ABANDONED_AFTER_HOURS * 3_600_000 };
}

/** Without configuration: every non-empty cart of a known customer, abandoned after a day. */
export const defaultCartSettings: CartSettings = cartSettingsFrom(cartEnv.parse({}));
