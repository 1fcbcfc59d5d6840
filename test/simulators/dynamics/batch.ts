import { randomUUID } from "node:crypto";
import { codes, DataverseError } from "./errors";
import { UnitOfWork, type DataverseStore } from "./store";
import { tableBySet } from "./tables";
import { errorResponse, execute, preferences, type ApiContext, type ApiRequest, type ApiResponse } from "./web-api";

/** Dataverse takes up to 1,000 requests in one `$batch`. */
export const maxBatchRequests = 1000;

type Part = { headers: Record<string, string>; body: string };
type Operation = { contentId?: string; request: ApiRequest };
type Item = { kind: "single"; operation: Operation } | { kind: "changeSet"; operations: Operation[] };

const statusTexts: Record<number, string> = {
  200: "OK",
  201: "Created",
  204: "No Content",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  412: "Precondition Failed",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
};

const malformed = (why: string) => new DataverseError(400, codes.badRequest, `The batch request is malformed: ${why}.`);

export function boundaryOf(contentType: string | undefined): string | undefined {
  const match = /^multipart\/mixed\s*;.*boundary=("?)([^";]+)\1/i.exec(contentType ?? "");
  return match?.[2];
}

/** Header block → lower-cased names; the first line break ends it. */
function headersOf(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/**
 * The parts between `--boundary` lines, up to `--boundary--`, read line by
 * line (CRLF or LF): a part is its header lines, a blank line, its content.
 */
function splitParts(body: string, boundary: string): Part[] {
  const lines = body.replace(/\r\n/g, "\n").split("\n");
  const [open, close] = [`--${boundary}`, `--${boundary}--`];
  const parts: Part[] = [];
  let current: string[] | undefined;
  for (const line of lines) {
    const trimmed = line.trimEnd();
    if (trimmed === open || trimmed === close) {
      if (current) parts.push(partOf(current));
      if (trimmed === close) return parts;
      current = [];
    } else current?.push(line);
  }
  throw malformed(current ? "the closing delimiter is missing" : "no boundary delimiter");
}

function partOf(lines: string[]): Part {
  const blank = lines.findIndex((line) => line.trim() === "");
  if (blank < 0) return { headers: headersOf(lines.join("\n")), body: "" };
  return { headers: headersOf(lines.slice(0, blank).join("\n")), body: lines.slice(blank + 1).join("\n") };
}

/** Where a part's request line points, below the service root: absolute, path-absolute, relative and `$1` references all work. */
function relativePath(url: string): string {
  const withoutOrigin = url.replace(/^https?:\/\/[^/]+/i, "");
  return withoutOrigin.replace(/^\/?api\/data\/v9\.2\//, "").replace(/^\//, "");
}

/** An `application/http` part: request line, headers, blank line, body. */
function operationOf(part: Part): Operation {
  if (!/^application\/http/i.test(part.headers["content-type"] ?? "")) throw malformed("a part is not application/http");
  const text = part.body.replace(/^(\r?\n)+/, "");
  const lineEnd = /\r?\n/.exec(text);
  const requestLine = lineEnd ? text.slice(0, lineEnd.index) : text;
  const match = /^(GET|POST|PATCH|PUT|DELETE)\s+(\S+)\s+HTTP\/1\.1$/.exec(requestLine.trim());
  if (!match) throw malformed(`the request line '${requestLine.trim()}' is not valid`);
  const afterLine = lineEnd ? text.slice(lineEnd.index + lineEnd[0].length) : "";
  const split = /\r?\n\r?\n|^\r?\n/.exec(afterLine);
  const headers = headersOf(split ? afterLine.slice(0, split.index) : afterLine);
  const body = split ? afterLine.slice(split.index + split[0].length).trim() : "";
  const [path, search = ""] = relativePath(match[2]!).split("?", 2) as [string, string?];
  const operation: Operation = { request: { method: match[1]!, path: decodeURIComponent(path), query: new URLSearchParams(search), headers, body } };
  const contentId = part.headers["content-id"];
  return contentId ? { ...operation, contentId } : operation;
}

function itemsOf(body: string, boundary: string): Item[] {
  return splitParts(body, boundary).map((part): Item => {
    const changeSet = boundaryOf(part.headers["content-type"]);
    if (!changeSet) return { kind: "single", operation: operationOf(part) };
    const operations = splitParts(part.body, changeSet).map(operationOf);
    if (operations.some((o) => o.request.method === "GET")) throw malformed("a change set holds a GET request");
    return { kind: "changeSet", operations };
  });
}

/** `$1` at the start of a URL, or as an `@odata.bind` value, names what the change set's part with Content-ID 1 wrote. */
function resolveReferences(request: ApiRequest, written: Map<string, string>): ApiRequest {
  const resolve = (value: string) => value.replace(/^\$(\w+)/, (whole, id: string) => written.get(id) ?? whole);
  if (!request.body.includes("$") && !request.path.startsWith("$")) return request;
  let body = request.body;
  if (body.trim().startsWith("{")) {
    try {
      const parsed = JSON.parse(body) as Record<string, unknown>;
      for (const [key, value] of Object.entries(parsed)) if (key.endsWith("@odata.bind") && typeof value === "string") parsed[key] = `/${resolve(value)}`.replace(/^\/\//, "/");
      body = JSON.stringify(parsed);
    } catch {
      // Left as it is: execute refuses it with Dataverse's own message.
    }
  }
  return { ...request, path: resolve(request.path), body };
}

function renderResponse(response: ApiResponse, contentId: string | undefined): string {
  const lines = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"];
  if (contentId) lines.push(`Content-ID: ${contentId}`);
  lines.push("", `HTTP/1.1 ${response.status} ${statusTexts[response.status] ?? "Error"}`, "OData-Version: 4.0");
  for (const [name, value] of Object.entries(response.headers)) lines.push(`${name}: ${value}`);
  if (response.body !== undefined) lines.push("Content-Type: application/json; odata.metadata=minimal; odata.streaming=true", "", JSON.stringify(response.body));
  else lines.push("");
  return lines.join("\r\n");
}

export type BatchResult = { boundary: string; body: string };

/**
 * Runs a `$batch`: parts in order; a change set's operations in one unit of
 * work, rolled back together when one fails (the change set then answers with
 * that one error). Without `Prefer: odata.continue-on-error` the batch stops
 * at the first failed part. Webhooks see only what was committed.
 */
export async function runBatch(
  store: DataverseStore,
  request: { body: string; contentType: string | undefined; prefer: string | undefined; userId: string },
  contextFor: (unit: UnitOfWork) => ApiContext,
): Promise<BatchResult> {
  const boundary = boundaryOf(request.contentType);
  if (!boundary) throw new DataverseError(400, codes.badRequest, "The batch request must have a multipart/mixed content type with a boundary.");
  const items = itemsOf(request.body, boundary);
  const count = items.reduce((sum, item) => sum + (item.kind === "single" ? 1 : item.operations.length), 0);
  if (count > maxBatchRequests) throw new DataverseError(400, codes.badRequest, `The number of requests in the batch (${count}) exceeds the limit of ${maxBatchRequests}.`);
  const continueOnError = preferences(request.prefer).has("odata.continue-on-error");

  const responseBoundary = `batchresponse_${randomUUID()}`;
  const out: string[] = [];
  for (const item of items) {
    const unit = new UnitOfWork(request.userId);
    const ctx = contextFor(unit);
    let failed = false;
    if (item.kind === "single") {
      const response = await execute(item.operation.request, ctx).catch(errorResponse);
      failed = response.status >= 400;
      if (!failed) store.commit(unit);
      out.push(renderResponse(response, undefined));
    } else {
      const written = new Map<string, string>();
      const responses: string[] = [];
      for (const operation of item.operations) {
        const response = await execute(resolveReferences(operation.request, written), ctx).catch(errorResponse);
        if (response.status >= 400) {
          unit.rollback();
          failed = true;
          out.push(renderResponse(response, operation.contentId));
          break;
        }
        const entityId = response.headers["OData-EntityId"];
        const entityPath = entityId?.slice(ctx.serviceRoot.length + 1);
        if (operation.contentId && entityPath && tableBySet(entityPath.split("(")[0]!)) written.set(operation.contentId, entityPath);
        responses.push(renderResponse(response, operation.contentId));
      }
      if (!failed) {
        store.commit(unit);
        const changeSetBoundary = `changesetresponse_${randomUUID()}`;
        out.push(`Content-Type: multipart/mixed; boundary=${changeSetBoundary}\r\n\r\n${responses.map((r) => `--${changeSetBoundary}\r\n${r}`).join("\r\n")}\r\n--${changeSetBoundary}--`);
      }
    }
    if (failed && !continueOnError) break;
  }
  return { boundary: responseBoundary, body: `${out.map((part) => `--${responseBoundary}\r\n${part}`).join("\r\n")}\r\n--${responseBoundary}--\r\n` };
}
