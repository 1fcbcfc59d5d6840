import type { NextFunction, Request, Response } from "express";
import { sendThrottled } from "./errors";

/**
 * An instance behind a rate limit of its own (a hosting proxy; 1CRM itself
 * documents none): at most `perSecond` requests in any second, the rest
 * answered 429 with Retry-After. Off unless configured.
 */
export class Throttle {
  private perSecond: number | undefined;
  private readonly recent: number[] = [];
  refused = 0;

  configure(perSecond: number | undefined): void {
    this.perSecond = perSecond;
    this.recent.length = 0;
  }

  readonly middleware = (_req: Request, res: Response, next: NextFunction): void => {
    if (this.perSecond === undefined) return next();
    const now = Date.now();
    while (this.recent.length > 0 && now - this.recent[0]! >= 1000) this.recent.shift();
    if (this.recent.length >= this.perSecond) {
      this.refused++;
      return sendThrottled(res, (this.recent[0]! + 1000 - now) / 1000);
    }
    this.recent.push(now);
    next();
  };
}
