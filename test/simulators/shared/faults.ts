import { z } from "zod";

/**
 * A fault armed from outside the process with `POST /__sim/faults`.
 * It applies to the next `times` data requests (never to the token endpoint).
 */
export const faultSpecSchema = z
  .object({
    status: z.number().int().min(400).max(599).optional(),
    times: z.number().int().min(1).max(1_000_000).default(1),
    delayMs: z.number().int().min(0).max(600_000).optional(),
    reset: z.boolean().optional(),
    malformed: z.boolean().optional(),
    /** Seconds to announce in Retry-After (and the CRM's own reset fields) for throttling. */
    retryAfterSeconds: z.number().min(0).max(3600).optional(),
    /** Only requests whose path contains this string are affected. */
    pathIncludes: z.string().optional(),
  })
  .refine((f) => f.status !== undefined || f.delayMs !== undefined || f.reset || f.malformed, {
    message: "give at least one of status, delayMs, reset, malformed",
  });
export type FaultSpec = z.infer<typeof faultSpecSchema>;

export class FaultInjector {
  private armed: FaultSpec[] = [];
  /** Counts what was injected, for the reliability suite's figures. */
  readonly injected = { status: 0, delay: 0, reset: 0, malformed: 0 };

  arm(spec: FaultSpec): void {
    this.armed.push({ ...spec });
  }

  clear(): void {
    this.armed = [];
  }

  /** Takes one use of the first fault matching this path, if any. */
  take(path: string): FaultSpec | undefined {
    const index = this.armed.findIndex((f) => !f.pathIncludes || path.includes(f.pathIncludes));
    if (index < 0) return undefined;
    const fault = this.armed[index]!;
    fault.times -= 1;
    if (fault.times <= 0) this.armed.splice(index, 1);
    if (fault.status !== undefined) this.injected.status++;
    if (fault.delayMs !== undefined) this.injected.delay++;
    if (fault.reset) this.injected.reset++;
    if (fault.malformed) this.injected.malformed++;
    return fault;
  }

  pending(): FaultSpec[] {
    return this.armed.map((f) => ({ ...f }));
  }
}
