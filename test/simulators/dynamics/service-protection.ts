import type { NextFunction, Request, Response } from "express";
import { z } from "zod";
import { throttled, throttleMessages, type DataverseError } from "./errors";

/**
 * Dataverse's service-protection limits, per user: requests and combined
 * execution time per sliding window, and requests in flight at once. A
 * `$batch` counts as one request (unverified: its operations' time counts
 * toward execution time either way).
 */
export const protectionLimitsSchema = z.object({
  requests: z.object({ limit: z.number().int().min(1), windowSeconds: z.number().positive() }),
  executionTime: z.object({ limitMs: z.number().int().min(1), windowSeconds: z.number().positive() }),
  concurrency: z.number().int().min(1),
});
export type ProtectionLimits = z.infer<typeof protectionLimitsSchema>;

/** The published figures: 6,000 requests and 1,200 s of execution time per 300 s, 52 concurrent requests. */
export const publishedLimits: ProtectionLimits = {
  requests: { limit: 6000, windowSeconds: 300 },
  executionTime: { limitMs: 1_200_000, windowSeconds: 300 },
  concurrency: 52,
};

type Usage = { requests: number[]; executions: { at: number; ms: number }[]; inFlight: number };

export class ServiceProtection {
  private limits: ProtectionLimits = structuredClone(publishedLimits);
  private readonly usage = new Map<string, Usage>();
  /** Refusals by code, for tests and figures. */
  readonly refused: Record<string, number> = {};

  configure(limits: Partial<ProtectionLimits>): ProtectionLimits {
    this.limits = { ...this.limits, ...limits };
    this.usage.clear();
    return this.limits;
  }

  current(): ProtectionLimits {
    return structuredClone(this.limits);
  }

  /** Why a request of this user is refused now, if it is. */
  private check(user: Usage, now: number): DataverseError | undefined {
    const { requests, executionTime, concurrency } = this.limits;
    if (user.inFlight >= concurrency) return throttled(throttleMessages.concurrency.code, throttleMessages.concurrency.message(concurrency), 1);
    user.requests = user.requests.filter((at) => at > now - requests.windowSeconds * 1000);
    if (user.requests.length >= requests.limit) {
      const wait = (user.requests[0]! + requests.windowSeconds * 1000 - now) / 1000;
      return throttled(throttleMessages.requests.code, throttleMessages.requests.message(requests.limit, requests.windowSeconds), wait);
    }
    user.executions = user.executions.filter((e) => e.at > now - executionTime.windowSeconds * 1000);
    if (user.executions.reduce((sum, e) => sum + e.ms, 0) >= executionTime.limitMs) {
      const wait = (user.executions[0]!.at + executionTime.windowSeconds * 1000 - now) / 1000;
      return throttled(throttleMessages.executionTime.code, throttleMessages.executionTime.message(executionTime.limitMs, executionTime.windowSeconds), wait);
    }
    return undefined;
  }

  /** Express middleware; runs after authentication (`res.locals.userId`). */
  middleware() {
    return (_req: Request, res: Response, next: NextFunction) => {
      const userId = String(res.locals.userId);
      const user = this.usage.get(userId) ?? { requests: [], executions: [], inFlight: 0 };
      this.usage.set(userId, user);
      const started = Date.now();
      const refusal = this.check(user, started);
      if (refusal) {
        this.refused[refusal.code] = (this.refused[refusal.code] ?? 0) + 1;
        res.status(refusal.status).set(refusal.headers).json(refusal.body);
        return;
      }
      user.requests.push(started);
      user.inFlight++;
      res.on("close", () => {
        user.inFlight--;
        user.executions.push({ at: Date.now(), ms: Date.now() - started });
      });
      next();
    };
  }
}
