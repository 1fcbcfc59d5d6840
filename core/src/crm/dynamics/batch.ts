import { randomUUID } from "node:crypto";
import { SyncError } from "../../domain/errors";
import type { CallContext } from "../../ports/crm-outbound";
import type { DataverseApi } from "./api";

/** Dataverse takes at most this many requests in one `$batch`. */
export const maxBatchOperations = 1000;

/** One request inside a `$batch`: a path below the service root (`/contacts(…)`), its headers and JSON body. */
export type BatchOperation = {
  method: "POST" | "PATCH" | "DELETE";
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  json?: unknown;
};

/** An answer inside a `$batch` answer, header names in lower case. */
export type PartAnswer = { status: number; headers: Record<string, string>; text: string };

/** A change set's outcome: every operation's answer, or the one error that rolled the change set back. */
export type ChangeSetAnswer = { ok: true; answers: PartAnswer[] } | { ok: false; answer: PartAnswer };

const malformed = (why: string) => new SyncError({ errorClass: "unknown", message: `Dynamics 365 sent a $batch answer that cannot be read (${why})` });

function requestLine(serviceRoot: string, operation: BatchOperation): string {
  const query = Object.entries(operation.query ?? {}).map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
  return `${operation.method} ${serviceRoot}${operation.path}${query.length > 0 ? `?${query.join("&")}` : ""} HTTP/1.1`;
}

/**
 * The `multipart/mixed` body of a `$batch`: one change set per entry (its
 * operations commit or roll back together), Content-IDs numbered through the
 * batch.
 */
export function encodeBatch(serviceRoot: string, changeSets: readonly BatchOperation[][], id: string = randomUUID()): { contentType: string; body: string } {
  const batch = `batch_${id}`;
  const lines: string[] = [];
  let contentId = 0;
  changeSets.forEach((operations, n) => {
    const changeSet = `changeset_${id}_${n}`;
    lines.push(`--${batch}`, `Content-Type: multipart/mixed; boundary=${changeSet}`, "");
    for (const operation of operations) {
      lines.push(`--${changeSet}`, "Content-Type: application/http", "Content-Transfer-Encoding: binary", `Content-ID: ${++contentId}`, "");
      lines.push(requestLine(serviceRoot, operation), "Content-Type: application/json; type=entry");
      for (const [name, value] of Object.entries(operation.headers ?? {})) lines.push(`${name}: ${value}`);
      lines.push("", operation.json === undefined ? "" : JSON.stringify(operation.json));
    }
    lines.push(`--${changeSet}--`);
  });
  lines.push(`--${batch}--`, "");
  return { contentType: `multipart/mixed; boundary=${batch}`, body: lines.join("\r\n") };
}

const boundaryIn = (contentType: string | undefined) => /boundary=("?)([^";]+)\1/i.exec(contentType ?? "")?.[2];

function headerBlock(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** Splits at a blank line: the headers before it, the rest after it. */
function headAndBody(text: string): [Record<string, string>, string] {
  const blank = /\r?\n\r?\n/.exec(text);
  return blank ? [headerBlock(text.slice(0, blank.index)), text.slice(blank.index + blank[0].length)] : [headerBlock(text), ""];
}

/** Where the delimiter line `--boundary` next starts at or after `from` (at the start of a line), or -1. */
function delimiterAt(text: string, delimiter: string, from: number): number {
  for (let at = text.indexOf(delimiter, from); at >= 0; at = text.indexOf(delimiter, at + 1)) if (at === 0 || text[at - 1] === "\n") return at;
  return -1;
}

/** The parts of a multipart body, each as its headers and content (the line break before a delimiter belongs to the delimiter). */
function parts(text: string, boundary: string): [Record<string, string>, string][] {
  const delimiter = `--${boundary}`;
  const out: [Record<string, string>, string][] = [];
  let at = delimiterAt(text, delimiter, 0);
  while (at >= 0) {
    if (text.startsWith("--", at + delimiter.length)) return out;
    const start = text.indexOf("\n", at) + 1;
    const next = delimiterAt(text, delimiter, start);
    if (start === 0 || next < 0) break;
    out.push(headAndBody(text.slice(start, text[next - 2] === "\r" ? next - 2 : next - 1)));
    at = next;
  }
  throw malformed("the closing delimiter is missing");
}

/** An `application/http` part: `HTTP/1.1 201 Created`, headers, body. */
function httpAnswer(content: string): PartAnswer {
  const text = content.replace(/^(\r?\n)+/, "");
  const status = /^HTTP\/1\.1 (\d{3})/.exec(text);
  if (!status) throw malformed("a part has no status line");
  const [headers, body] = headAndBody(text.slice(text.search(/\r?\n|$/)).replace(/^\r?\n/, ""));
  return { status: Number(status[1]), headers, text: body.trim() };
}

/** The answers of a `$batch`, in request order: a list for each committed change set, one answer for each failed one. */
export function decodeBatch(contentType: string | undefined, body: string): (PartAnswer | PartAnswer[])[] {
  const boundary = boundaryIn(contentType);
  if (!boundary) throw malformed("no multipart boundary");
  return parts(body, boundary).map(([headers, content]) => {
    const nested = boundaryIn(headers["content-type"]);
    return nested ? parts(content, nested).map(([, inner]) => httpAnswer(inner)) : httpAnswer(content);
  });
}

/**
 * Sends change sets as one `$batch` (one HTTP call, `odata.continue-on-error`
 * so a refused record does not stop the others) and answers each change set's
 * outcome in order. A change set the answer does not cover was never run.
 */
export async function sendBatch(api: DataverseApi, changeSets: readonly BatchOperation[][], ctx: CallContext): Promise<(ChangeSetAnswer | undefined)[]> {
  const count = changeSets.reduce((sum, c) => sum + c.length, 0);
  if (count > maxBatchOperations) throw new Error(`a $batch of ${count} operations exceeds Dataverse's ${maxBatchOperations}`);
  const { contentType, body } = encodeBatch(api.serviceRoot, changeSets);
  const answer = await api.http.send(ctx, { method: "POST", path: "/$batch", body, contentType, headers: { prefer: "odata.continue-on-error" } });
  const answers = decodeBatch(answer.headers.get("content-type") ?? undefined, answer.text);
  if (answers.length > changeSets.length) throw malformed(`${answers.length} answers for ${changeSets.length} change sets`);
  return changeSets.map((_, i) => {
    const found = answers[i];
    if (found === undefined) return undefined;
    if (Array.isArray(found)) return { ok: true, answers: found };
    return found.status >= 400 ? { ok: false, answer: found } : { ok: true, answers: [found] };
  });
}
