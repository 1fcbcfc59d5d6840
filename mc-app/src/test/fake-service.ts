import { http, HttpResponse } from 'msw';
import { mappingConfigSchema, validateMappingConfig, type MappingConfig } from '../../../core/src/domain/mapping-config';
import type { ConnectionStatus, Failure, FailureSummary } from '../api/schemas';

export const testMcApiUrl = 'http://mc-api.test';
export const testServiceUrl = 'http://service.test';

export type RecordedCall = { method: string; path: string; search: URLSearchParams; body: unknown; headers: Headers };

export function makeFailure(overrides: Partial<Failure> & { id: string }): Failure {
  return {
    connection: 'sandbox',
    crm: 'salesforce',
    direction: 'ct-to-crm',
    entity: 'person',
    sourceId: `customer-${overrides.id}`,
    errorClass: 'validation',
    message: 'REQUIRED_FIELD_MISSING: LastName',
    status: 400,
    code: 'REQUIRED_FIELD_MISSING',
    payload: { Email: 'ada@example.test', LastName: null },
    attempts: 1,
    firstFailedAt: '2026-11-24T10:00:00.000Z',
    lastFailedAt: '2026-11-24T10:00:00.000Z',
    correlationId: `corr-${overrides.id}`,
    state: 'open',
    history: [
      {
        at: '2026-11-24T10:00:00.000Z',
        errorClass: 'validation',
        message: 'REQUIRED_FIELD_MISSING: LastName',
        status: 400,
        correlationId: `corr-${overrides.id}`,
      },
    ],
    ...overrides,
  };
}

const summary = ({ payload: _payload, history: _history, ...rest }: Failure): FailureSummary => rest;

export function makeStatus(): ConnectionStatus {
  const processed = Array.from({ length: 24 }, (_, index) => ({
    hour: new Date(Date.UTC(2026, 10, 24, index)).toISOString(),
    written: index % 3,
    unchanged: 1,
    failed: index === 10 ? 2 : 0,
  }));
  return {
    connection: 'sandbox',
    crm: 'salesforce',
    lastSuccessAt: '2026-11-24T11:00:00.000Z',
    lastErrorAt: '2026-11-24T10:00:00.000Z',
    lastError: 'REQUIRED_FIELD_MISSING: LastName',
    processed,
    openFailuresByClass: { validation: 2, throttled: 1 },
    lastJobRun: { startedAt: '2026-11-24T11:30:00.000Z', finishedAt: '2026-11-24T11:30:05.000Z', outcome: 'ok' },
    checkpointLagSeconds: 95,
  };
}

/** A saved Salesforce mapping document as the service returns it (defaults filled in). */
export function makeMapping(): MappingConfig {
  return mappingConfigSchema.parse({
    schemaVersion: 1,
    crm: 'salesforce',
    entities: {
      person: {
        fields: [
          { source: 'custom.loyaltyTier', target: 'Loyalty_Tier__c', transform: [{ type: 'lookup', table: { gold: 'Gold' }, default: 'Standard' }] },
          { source: 'custom.signupChannel', target: 'LeadSource' },
        ],
      },
      company: { fields: [] },
      order: { fields: [{ source: 'total', target: 'Amount__c', transform: [{ type: 'money', unit: 'major' }] }] },
    },
    consent: { email: { target: 'HasOptedOutOfEmail', invert: true } },
  });
}

/**
 * A stand-in for our service behind `/proxy/forward-to`, holding failures in
 * memory. It checks what the real MC API would need (v2, the target URL, the
 * permissions claim) and refuses changes without ManageCrmSync, like the service.
 */
export function fakeService(options: { failures?: Failure[]; canManage?: boolean; replayResolves?: boolean } = {}) {
  const failures = new Map((options.failures ?? []).map((f) => [f.id, f]));
  const calls: RecordedCall[] = [];
  // Version 2 let the CRM own LeadSource; version 3 (current) gives it back to commercetools.
  const version2 = makeMapping();
  version2.entities.person.fields[1]!.owner = 'crm';
  const mappingVersions = new Map<number, unknown>([
    [1, makeMapping()],
    [2, version2],
    [3, makeMapping()],
  ]);
  const saveMapping = (document: unknown) => {
    mappingVersions.set(mappingVersions.size + 1, document);
    return mappingVersions.size;
  };
  const replayOne = (id: string): 'resolved' | 'failed' => {
    const failure = failures.get(id);
    if (!failure) return 'failed';
    const outcome = options.replayResolves === false ? 'failed' : 'resolved';
    failures.set(id, {
      ...failure,
      state: outcome === 'resolved' ? 'resolved' : 'open',
      attempts: failure.attempts + 1,
      ...(outcome === 'resolved' ? { resolvedAt: '2026-11-24T12:00:00.000Z' } : {}),
    });
    return outcome;
  };

  const handler = http.all(`${testMcApiUrl}/proxy/forward-to`, async ({ request }) => {
    const forwardTo = request.headers.get('x-forward-to');
    if (request.headers.get('accept-version') !== 'v2' || !forwardTo?.startsWith(testServiceUrl)) {
      return HttpResponse.json({ error: 'bad forward-to request' }, { status: 400 });
    }
    if (request.headers.get('x-forward-to-claims') !== 'permissions') {
      return HttpResponse.json({ error: 'permissions claim missing' }, { status: 400 });
    }
    const target = new URL(forwardTo);
    const text = await request.text();
    const body: unknown = text ? JSON.parse(text) : undefined;
    calls.push({ method: request.method, path: target.pathname, search: target.searchParams, body, headers: request.headers });
    const manage = options.canManage !== false;
    const forbidden = () => HttpResponse.json({ error: 'this needs the ManageCrmSync permission' }, { status: 403 });
    const path = target.pathname;

    if (request.method === 'GET' && path === '/api/status') return HttpResponse.json({ connections: [makeStatus()] });
    if (request.method === 'GET' && path === '/api/failures') {
      let items = [...failures.values()];
      const errorClass = target.searchParams.get('errorClass');
      if (errorClass) items = items.filter((f) => f.errorClass === errorClass);
      const state = target.searchParams.get('state');
      if (state) items = items.filter((f) => f.state === state);
      const limit = Number(target.searchParams.get('limit') ?? 20);
      const offset = Number(target.searchParams.get('cursor') ?? 0);
      const page = items.slice(offset, offset + limit);
      return HttpResponse.json({
        items: page.map(summary),
        ...(offset + limit < items.length ? { nextCursor: String(offset + limit) } : {}),
      });
    }
    if (request.method === 'POST' && path === '/api/failures/replay') {
      if (!manage) return forbidden();
      const ids = (body as { ids: string[] }).ids;
      return HttpResponse.json({ results: ids.map((id) => ({ id, outcome: replayOne(id) })) });
    }
    const one = /^\/api\/failures\/([^/]+)(\/replay|\/dismiss)?$/.exec(path);
    if (one) {
      const id = decodeURIComponent(one[1]!);
      const failure = failures.get(id);
      if (!failure) return HttpResponse.json({ error: 'unknown failure' }, { status: 404 });
      if (request.method === 'GET' && !one[2]) return HttpResponse.json(failure);
      if (!manage) return forbidden();
      if (one[2] === '/replay') {
        const outcome = replayOne(id);
        return HttpResponse.json({ outcome, failure: failures.get(id) });
      }
      failures.set(id, { ...failure, state: 'dismissed' });
      return HttpResponse.json(failures.get(id));
    }
    if (path === '/api/mappings' && request.method === 'GET') {
      return HttpResponse.json({
        current: mappingVersions.get(mappingVersions.size),
        version: mappingVersions.size,
        history: [...mappingVersions.keys()].map((version) => ({
          version,
          savedAt: new Date(Date.UTC(2026, 10, 20 + version, 9)).toISOString(),
          savedBy: 'mia@example.test',
        })),
      });
    }
    if (path === '/api/mappings/validate') {
      const result = validateMappingConfig(body);
      return HttpResponse.json({ valid: result.valid, issues: result.issues });
    }
    if (path === '/api/mappings/preview') {
      return HttpResponse.json({
        samples: [{ sourceId: 'customer-1', fields: { Email: 'ada@example.test', LastName: 'Lovelace', LeadSource: 'web' } }],
      });
    }
    if (path === '/api/mappings' && request.method === 'PUT') {
      if (!manage) return forbidden();
      return HttpResponse.json({ version: saveMapping(body) });
    }
    if (path === '/api/mappings/rollback') {
      if (!manage) return forbidden();
      const { version } = body as { version: number };
      if (!mappingVersions.has(version)) return HttpResponse.json({ error: `no mapping version ${version}` }, { status: 404 });
      return HttpResponse.json({ version: saveMapping(mappingVersions.get(version)) });
    }
    return HttpResponse.json({ error: `no route ${request.method} ${path}` }, { status: 404 });
  });

  return { handler, calls, failures };
}
