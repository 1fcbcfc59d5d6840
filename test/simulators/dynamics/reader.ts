import { z } from "zod";

export type Row = Record<string, unknown>;

const page = z.object({ value: z.array(z.record(z.string(), z.unknown())), "@odata.nextLink": z.string().optional() });

/**
 * Reads a Dataverse org the way an admin's tools do: a token of its own from
 * the token endpoint, then plain Web API GETs (every page, through
 * `@odata.nextLink`). Tests read what the connector wrote through it, never
 * the simulator's memory.
 */
export function dataverseReader(orgUrl: string, credentials: { tenant: string; clientId: string; clientSecret: string }) {
  const serviceRoot = `${orgUrl}/api/data/v9.2`;
  let token: Promise<string> | undefined;
  const bearer = () =>
    (token ??= fetch(`${orgUrl}/${credentials.tenant}/oauth2/v2.0/token`, {
      method: "POST",
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: credentials.clientId, client_secret: credentials.clientSecret, scope: `${orgUrl}/.default` }),
    }).then(async (answer) => {
      if (!answer.ok) throw new Error(`token request answered ${answer.status}`);
      return z.object({ access_token: z.string() }).parse(await answer.json()).access_token;
    }));

  /** One Web API request; a refused token (the tokens were expired on purpose) is replaced once. */
  async function request(method: string, url: string, body?: unknown, retried = false): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${await bearer()}`, accept: "application/json", "odata-version": "4.0" };
    if (body !== undefined) headers["content-type"] = "application/json";
    const answer = await fetch(url.startsWith("http") ? url : `${serviceRoot}${url}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (answer.status !== 401 || retried) return answer;
    token = undefined;
    return request(method, url, body, true);
  }

  return {
    serviceRoot,
    request,
    /** Every row of a collection query: `path` as `/contacts?$select=…&$filter=…`. */
    async all(path: string): Promise<Row[]> {
      const rows: Row[] = [];
      for (let url: string | undefined = path; url; ) {
        const answer = await request("GET", url);
        if (!answer.ok) throw new Error(`GET ${url} answered ${answer.status}: ${await answer.text()}`);
        const parsed = page.parse(await answer.json());
        rows.push(...parsed.value);
        url = parsed["@odata.nextLink"];
      }
      return rows;
    },
  };
}

export type DataverseReader = ReturnType<typeof dataverseReader>;
