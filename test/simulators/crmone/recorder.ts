import type { NextFunction, Request, Response } from "express";

/** One data request the simulator answered, with both bodies: what the OpenAPI check reads. */
export type Exchange = {
  method: string;
  /** Below `/api.php`, e.g. `/data/Contact/7eba2a01-…`. */
  path: string;
  /** Query parameters as sent, in order (`fields[]`, `filters[x]` repeated as they came). */
  query: [string, string][];
  body: unknown;
  status: number;
  response: unknown;
  authorization?: string | undefined;
  correlationId?: string | undefined;
};

export function recordExchanges(into: Exchange[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    const url = new URL(req.originalUrl, "http://sim.invalid");
    const exchange: Exchange = {
      method: req.method,
      path: req.path,
      query: [...url.searchParams],
      body: req.body,
      status: 0,
      response: undefined,
      authorization: req.header("authorization"),
      correlationId: req.header("x-correlation-id"),
    };
    const json = res.json.bind(res);
    res.json = (payload: unknown) => {
      exchange.response = payload;
      return json(payload);
    };
    res.on("finish", () => {
      exchange.status = res.statusCode;
      into.push(exchange);
    });
    next();
  };
}
