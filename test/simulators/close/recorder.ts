import type { NextFunction, Request, Response } from "express";

/** One request the simulator accepted and answered, with bodies, for the OpenAPI drift check. */
export type RecordedRequest = {
  method: string;
  /** Path below `/api/v1`, e.g. `/lead/lead_abc/`. */
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  status: number;
  response: unknown;
  /** What the client sent to be recognised and traced by. */
  authorization?: string | undefined;
  correlationId?: string | undefined;
};

export function createRecorder(log: RecordedRequest[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    const entry: RecordedRequest = {
      method: req.method,
      path: req.path,
      query: { ...(req.query as Record<string, unknown>) },
      body: req.body,
      status: 0,
      response: undefined,
      authorization: req.header("authorization"),
      correlationId: req.header("x-correlation-id"),
    };
    const json = res.json.bind(res);
    res.json = (payload: unknown) => {
      entry.response = payload;
      return json(payload);
    };
    res.on("finish", () => {
      entry.status = res.statusCode;
      log.push(entry);
    });
    next();
  };
}
