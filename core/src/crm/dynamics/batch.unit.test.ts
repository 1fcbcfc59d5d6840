import { describe, expect, it } from "vitest";
import { decodeBatch, encodeBatch } from "./batch";
import { answerError } from "./errors";

const root = "https://contoso.crm4.dynamics.com/api/data/v9.2";

/** A `$batch` answer as Dataverse words one: a committed change set, a failed one, CRLF line ends. */
const answer = [
  "--batchresponse_1",
  "Content-Type: multipart/mixed; boundary=changesetresponse_a",
  "",
  "--changesetresponse_a",
  "Content-Type: application/http",
  "Content-Transfer-Encoding: binary",
  "Content-ID: 1",
  "",
  "HTTP/1.1 201 Created",
  "OData-Version: 4.0",
  "OData-EntityId: https://contoso.crm4.dynamics.com/api/data/v9.2/contacts(5bb5043f-bc7a-4019-ae12-04473b4f9ff1)",
  "Content-Type: application/json; odata.metadata=minimal",
  "",
  '{"@odata.etag":"W/\\"1\\"","contactid":"5bb5043f-bc7a-4019-ae12-04473b4f9ff1"}',
  "--changesetresponse_a",
  "Content-Type: application/http",
  "Content-Transfer-Encoding: binary",
  "Content-ID: 2",
  "",
  "HTTP/1.1 204 No Content",
  "OData-Version: 4.0",
  "",
  "",
  "--changesetresponse_a--",
  "--batchresponse_1",
  "Content-Type: application/http",
  "Content-Transfer-Encoding: binary",
  "",
  "HTTP/1.1 400 Bad Request",
  "Content-Type: application/json; odata.metadata=minimal",
  "OData-Version: 4.0",
  "",
  '{"error":{"code":"0x80044331","message":"A validation error occurred. The length of the \'firstname\' attribute of the \'contact\' entity exceeded the maximum allowed length of \'50\'."}}',
  "--batchresponse_1--",
  "",
].join("\r\n");

describe("Dynamics 365 $batch codec", () => {
  it("encodes each change set as a multipart part of application/http requests, Content-IDs numbered through the batch", () => {
    const { contentType, body } = encodeBatch(
      root,
      [
        [{ method: "PATCH", path: "/contacts(ct_customerid='c%2F1')", query: { $select: "contactid" }, headers: { prefer: "return=representation" }, json: { lastname: "Doe" } }],
        [{ method: "PATCH", path: "/annotations(00000000-0000-5000-8000-000000000001)", headers: { "if-none-match": "*" }, json: { subject: "paid" } }],
      ],
      "fixed",
    );
    expect(contentType).toBe("multipart/mixed; boundary=batch_fixed");
    const lines = body.split("\r\n");
    expect(lines.slice(0, 9)).toEqual([
      "--batch_fixed",
      "Content-Type: multipart/mixed; boundary=changeset_fixed_0",
      "",
      "--changeset_fixed_0",
      "Content-Type: application/http",
      "Content-Transfer-Encoding: binary",
      "Content-ID: 1",
      "",
      `PATCH ${root}/contacts(ct_customerid='c%2F1')?$select=contactid HTTP/1.1`,
    ]);
    expect(body).toContain("prefer: return=representation\r\n\r\n{\"lastname\":\"Doe\"}\r\n--changeset_fixed_0--");
    expect(body).toContain("Content-ID: 2");
    expect(body).toContain("if-none-match: *");
    expect(body.endsWith("--batch_fixed--\r\n")).toBe(true);
  });

  it("decodes Dataverse's answer: a committed change set's answers in order, a failed change set's one error", () => {
    const [committed, failed] = decodeBatch("multipart/mixed; boundary=batchresponse_1", answer);
    expect(Array.isArray(committed)).toBe(true);
    const [created, noContent] = committed as { status: number; headers: Record<string, string>; text: string }[];
    expect(created).toMatchObject({ status: 201, headers: { "odata-entityid": expect.stringContaining("5bb5043f") } });
    expect(JSON.parse(created!.text)).toMatchObject({ contactid: "5bb5043f-bc7a-4019-ae12-04473b4f9ff1" });
    expect(noContent).toMatchObject({ status: 204, text: "" });
    expect(failed).toMatchObject({ status: 400 });
    const error = answerError(400, (failed as { headers: Record<string, string> }).headers, (failed as { text: string }).text);
    expect(error.details).toMatchObject({ errorClass: "validation", code: "0x80044331", message: expect.stringContaining("maximum allowed length of '50'") });
  });

  it("refuses an answer without a boundary or without its closing delimiter", () => {
    expect(() => decodeBatch("application/json", answer)).toThrow(/cannot be read/);
    expect(() => decodeBatch("multipart/mixed; boundary=batchresponse_1", answer.replace("--batchresponse_1--", ""))).toThrow(/closing delimiter/);
  });
});

describe("Dynamics 365 errors", () => {
  const body = (code: string, message: string) => JSON.stringify({ error: { code, message } });

  it("classifies the three service-protection refusals as throttling with the announced wait", () => {
    for (const [code, limit] of [
      ["0x80072322", "number of requests"],
      ["0x80072321", "combined execution time"],
      ["0x80072326", "concurrent requests"],
    ] as const) {
      const error = answerError(429, new Headers({ "retry-after": "37" }), body(code, "limit exceeded"));
      expect(error.details).toMatchObject({ errorClass: "throttled", code, retryAfterSeconds: 37, message: expect.stringContaining(limit) });
    }
    expect(answerError(429, new Headers(), "").details).toMatchObject({ errorClass: "throttled", retryAfterSeconds: 5 });
  });

  it("tells a missing record or parent, a duplicate key and a stale version from plain validation", () => {
    expect(answerError(404, {}, body("0x80040217", "contact With Id = x Does Not Exist")).errorClass).toBe("not_found");
    expect(answerError(404, {}, body("0x80060891", "A record with the specified key values does not exist in account entity")).errorClass).toBe("not_found");
    expect(answerError(412, {}, body("0x80040237", "Cannot insert duplicate key.")).errorClass).toBe("conflict");
    expect(answerError(400, {}, body("0x80060888", "The property 'x' does not exist")).errorClass).toBe("validation");
    expect(answerError(503, {}, "<html>gateway</html>").details).toMatchObject({ errorClass: "crm_unavailable", message: "Dynamics 365 answered HTTP 503" });
    expect(answerError(401, {}, "").errorClass).toBe("auth");
  });

  it("leaves a refused literal out of the message: it may be personal data", () => {
    const error = answerError(400, {}, body("0x80060888", "Cannot convert the literal 'jane@example.com' to the expected type 'Edm.Int32'."));
    expect(error.message).not.toContain("jane@example.com");
    expect(error.message).toContain("Edm.Int32");
  });
});
