/** Reads a Salesforce (simulator) the way a Salesforce user would: OAuth, then SOQL. */
export async function soql<T = Record<string, unknown>>(baseUrl: string, query: string): Promise<T[]> {
  const tokenResponse = await fetch(`${baseUrl}/services/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: "sandbox-client", client_secret: "sandbox-secret" }),
  });
  const { access_token } = (await tokenResponse.json()) as { access_token: string };
  const records: T[] = [];
  let next: string | undefined = `/services/data/v62.0/query?q=${encodeURIComponent(query)}`;
  while (next) {
    const response = await fetch(`${baseUrl}${next}`, { headers: { authorization: `Bearer ${access_token}` } });
    if (!response.ok) throw new Error(`SOQL failed ${response.status}: ${await response.text()}`);
    const page = (await response.json()) as { records: T[]; nextRecordsUrl?: string };
    records.push(...page.records);
    next = page.nextRecordsUrl;
  }
  return records;
}
