import { z } from "zod";

/** Reads and edits a Salesforce (simulator) the way a Salesforce user would: OAuth, then REST and SOQL. */
const tokenAnswer = z.object({ access_token: z.string() });
const queryPage = z.object({ records: z.array(z.record(z.string(), z.unknown())), nextRecordsUrl: z.string().optional() });

async function accessToken(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/services/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: "sandbox-client", client_secret: "sandbox-secret" }),
  });
  if (!response.ok) throw new Error(`Salesforce token request failed ${response.status}: ${await response.text()}`);
  return tokenAnswer.parse(await response.json()).access_token;
}

/** A REST call below `/services/data/v62.0`, e.g. a hand edit `PATCH /sobjects/Contact/{id}`. */
export async function salesforceCall(baseUrl: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${baseUrl}/services/data/v62.0${path}`, {
    method,
    headers: { authorization: `Bearer ${await accessToken(baseUrl)}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Every row of a SOQL query, following `nextRecordsUrl` (a path on the instance). Rows are typed by the caller's query. */
export async function soql<T = Record<string, unknown>>(baseUrl: string, query: string): Promise<T[]> {
  const token = await accessToken(baseUrl);
  const records: T[] = [];
  let next: string | undefined = `/services/data/v62.0/query?q=${encodeURIComponent(query)}`;
  while (next) {
    const response = await fetch(`${baseUrl}${next}`, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) throw new Error(`SOQL failed ${response.status}: ${await response.text()}`);
    const page = queryPage.parse(await response.json());
    records.push(...(page.records as T[]));
    next = page.nextRecordsUrl;
  }
  return records;
}
