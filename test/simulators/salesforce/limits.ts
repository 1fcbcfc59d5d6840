import type { NextFunction, Request, Response } from "express";
import { limitExceeded, sendErrors } from "./errors";

/**
 * The org's daily API allowance. Every data request counts one; over the
 * maximum (or when throttling is switched on) Salesforce answers
 * 403 REQUEST_LIMIT_EXCEEDED, never 429, and sends no Retry-After.
 */
export class ApiUsage {
  used = 0;
  max = 100_000;
  /** Switch: answer REQUEST_LIMIT_EXCEEDED whatever the count (stands in for the concurrent-request limit). */
  throttled = false;

  /** True when the next request would be refused. */
  get exceeded(): boolean {
    return this.throttled || this.used >= this.max;
  }

  header(): string {
    return `api-usage=${this.used}/${this.max}`;
  }

  /**
   * Runs before everything else (also before injected faults) so that every
   * data response, injected or not, carries Sforce-Limit-Info.
   */
  announce() {
    return (_req: Request, res: Response, next: NextFunction) => {
      // A refused request does not count against the allowance.
      if (this.exceeded) res.locals.sfLimitRefused = true;
      else this.used++;
      res.setHeader("Sforce-Limit-Info", this.header());
      next();
    };
  }

  /** Refuses the call once the allowance is spent. */
  enforce() {
    return (_req: Request, res: Response, next: NextFunction) => {
      if (res.locals.sfLimitRefused === true) {
        sendErrors(res, 403, limitExceeded);
        return;
      }
      next();
    };
  }
}
