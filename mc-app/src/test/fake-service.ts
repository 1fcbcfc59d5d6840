import { http, HttpResponse, type JsonBodyType } from 'msw';
import type { z } from 'zod';
import {
  errorClasses,
  serviceApi,
  type ApiRoute,
  actorNameHeader,
  type ConnectionCrm,
  type ConnectionStatus,
  type Failure,
  type FailureReview,
  type FailureSubject,
  type FailureSummary,
  type GuestDecision,
  type Operation,
  type OperationRequest,
  type ReconciliationReportAnswer,
} from '../../../core/src/api/contract';
import { mappingConfigSchema, validateMappingConfig, type MappingConfig, type MappingTarget } from '../../../core/src/domain/mapping-config';

export const testMcApiUrl = 'http://mc-api.test';
export const testServiceUrl = 'http://service.test';

export type RecordedCall = { method: string; path: string; search: URLSearchParams; body: unknown; headers: Headers };

/** The connection's CRM as the service names it: a Salesforce-like target rule, so a Close key is refused. */
export const testCrm: ConnectionCrm = {
  name: 'salesforce',
  label: 'Salesforce',
  targetRule: { pattern: '^[A-Za-z][A-Za-z0-9_]*$', message: 'must be a Salesforce field API name such as Email or Loyalty_Tier__c' },
};
/** What the service checks mapping documents against. */
export const testTarget: MappingTarget = { crm: testCrm.name, targetRule: testCrm.targetRule };

/** Answers as the service does: only what the route's contract schema accepts (it throws, and the test fails, otherwise). */
/** The sync log: an outbound write, and two CRM changes (one applied, one not), oldest first. */
export const logItems = [
  { id: 'b1.0', source: 'event' as const, at: '2026-11-24T10:00:00.000Z', correlationId: 'msg-1', connection: 'sandbox', entity: 'person', sourceId: 'customer-1', outcome: 'written' as const, crmId: '003000000000001', direction: 'ct-to-crm' as const },
  { id: 'b2.0', source: 'webhook' as const, at: '2026-11-24T10:30:00.000Z', correlationId: 'webhook-1', connection: 'sandbox', entity: 'person', sourceId: 'customer-1', outcome: 'failed' as const, crmId: '003000000000001', detail: 'validation: customer group "vip" does not exist', direction: 'crm-to-ct' as const },
  { id: 'b3.0', source: 'webhook' as const, at: '2026-11-24T11:15:00.000Z', correlationId: 'webhook-2', connection: 'sandbox', entity: 'person', sourceId: 'customer-1', outcome: 'written' as const, crmId: '003000000000001', direction: 'crm-to-ct' as const },
];

const reply = <R extends ApiRoute>(route: R, body: z.input<R['answer']>) => HttpResponse.json(route.answer.parse(body) as JsonBodyType);

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
    failed: index === 10 ? 2 : 0,
    inboundWritten: index === 11 ? 2 : 0,
    inboundFailed: index === 10 ? 1 : 0,
  }));
  return {
    connection: 'sandbox',
    crm: 'salesforce',
    lastSuccessAt: '2026-11-24T11:00:00.000Z',
    lastErrorAt: '2026-11-24T10:00:00.000Z',
    lastError: 'REQUIRED_FIELD_MISSING: LastName',
    processed,
    openFailuresByClass: { ...Object.fromEntries(errorClasses.map((c) => [c, 0])), validation: 2, throttled: 1 } as ConnectionStatus['openFailuresByClass'],
    lastJobRun: { startedAt: '2026-11-24T11:30:00.000Z', finishedAt: '2026-11-24T11:30:05.000Z', outcome: 'succeeded' },
    checkpointLagSeconds: 95,
    health: { state: 'attention', reasons: [{ kind: 'open_failures', count: 3 }] },
  };
}

/** A saved mapping document for `testCrm` as the service returns it (defaults filled in). */
export function makeMapping(): MappingConfig {
  return mappingConfigSchema.parse({
    schemaVersion: 1,
    crm: testCrm.name,
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

/** Version 0 of `testCrm`: its default, no extra fields. */
export function makeDefaultMapping(): MappingConfig {
  return mappingConfigSchema.parse({
    schemaVersion: 1,
    crm: testCrm.name,
    entities: { person: { fields: [] }, company: { fields: [] }, order: { fields: [] } },
    consent: { email: { target: 'HasOptedOutOfEmail', invert: true } },
  });
}

/**
 * A stand-in for our service behind `/proxy/forward-to`, holding failures in
 * memory. It checks what the real MC API would need (v2, the target URL, the
 * permissions claim) and refuses changes without ManageCrmSync, like the service.
 */
export function fakeService(
  options: {
    failures?: Failure[];
    canManage?: boolean;
    replayResolves?: boolean;
    /** Who or what each failure is about, by failure ID (the service reads them live from commercetools). */
    subjects?: Record<string, FailureSubject>;
    /** The ambiguous match of a failure, by failure ID. */
    matches?: Record<string, NonNullable<FailureReview['match']>>;
    /** Operations the service already holds, newest first. */
    operations?: Operation[];
    /** The latest reconciliation report; none: 404, as before the first run. */
    report?: ReconciliationReportAnswer;
    /** The rolling pass in progress; none: 404, as before the first scheduled slice. */
    rollingReport?: ReconciliationReportAnswer;
  } = {}
) {
  const failures = new Map((options.failures ?? []).map((f) => [f.id, f]));
  const matches = new Map(Object.entries(options.matches ?? {}));
  const calls: RecordedCall[] = [];
  // Version 2 let the CRM own LeadSource; version 3 (current) gives it back to commercetools.
  const version2 = makeMapping();
  version2.entities.person.fields[1]!.owner = 'crm';
  const mappingVersions = new Map<number, MappingConfig>([
    [1, makeMapping()],
    [2, version2],
    [3, makeMapping()],
  ]);
  const saveMapping = (document: MappingConfig) => {
    mappingVersions.set(mappingVersions.size + 1, document);
    return mappingVersions.size;
  };
  const operations: Operation[] = [...(options.operations ?? [])];
  const activeOperation = () => operations.find((o) => o.state === 'queued' || o.state === 'running');
  /** The job's side: the active operation one step further (queued → running halfway → succeeded), as the next read shows it. */
  const advanceOperation = () => {
    const index = operations.findIndex((o) => o.state === 'queued' || o.state === 'running');
    const operation = operations[index];
    if (!operation) return;
    const entities = operation.request.kind === 'backfill' ? (operation.request.entities ?? ['customer']) : [];
    const step = (done: number) => ({
      entities: entities.map((entity) => ({ entity, done: done / entities.length, total: 6 / entities.length })),
      done,
      total: 6,
      ratePerSecond: 1.5,
      secondsLeft: (6 - done) / 1.5,
      updatedAt: '2026-11-24T12:00:02.000Z',
    });
    operations[index] =
      operation.state === 'queued'
        ? { ...operation, state: 'running', startedAt: '2026-11-24T12:00:00.000Z', progress: step(2) }
        : { ...operation, state: 'succeeded', finishedAt: '2026-11-24T12:00:04.000Z', progress: step(6), counts: { 'backfill.customer.read': 6, 'backfill.customer.written': 6 } };
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

    if (request.method === 'GET' && path === '/api/status') return reply(serviceApi.status.get, { connections: [makeStatus()] });
    if (request.method === 'GET' && path === '/api/operations') {
      const active = activeOperation();
      return reply(serviceApi.operations.list, { ...(active ? { active } : {}), recent: operations });
    }
    if (request.method === 'POST' && path === '/api/operations') {
      if (!manage) return forbidden();
      const active = activeOperation();
      if (active) return HttpResponse.json({ error: `the ${active.request.kind} is ${active.state}: wait for it to finish`, operation: active }, { status: 409 });
      const name = request.headers.get(`x-forward-header-${actorNameHeader}`);
      const operation: Operation = {
        id: `operation-${operations.length + 1}`,
        connection: 'sandbox',
        request: body as OperationRequest,
        requestedBy: { userId: 'user-id-1', ...(name ? { name: decodeURIComponent(name) } : {}) },
        requestedAt: '2026-11-24T12:00:00.000Z',
        state: 'queued',
      };
      operations.unshift(operation);
      return reply(serviceApi.operations.start, operation);
    }
    if (request.method === 'GET' && path === '/api/reconciliation/latest') {
      if (!options.report) return HttpResponse.json({ error: 'no reconciliation has run yet' }, { status: 404 });
      return reply(serviceApi.reconciliation.latest, options.report);
    }
    if (request.method === 'GET' && path === '/api/reconciliation/current') {
      if (!options.rollingReport) return HttpResponse.json({ error: 'no rolling reconciliation pass has started' }, { status: 404 });
      return reply(serviceApi.reconciliation.current, options.rollingReport);
    }
    if (request.method === 'GET' && path === '/api/log') {
      const direction = target.searchParams.get('direction');
      return reply(serviceApi.log.list, { items: logItems.filter((item) => !direction || item.direction === direction) });
    }
    if (request.method === 'GET' && path === '/api/failures') {
      let items = [...failures.values()];
      for (const key of ['crm', 'direction', 'errorClass', 'state'] as const) {
        const wanted = target.searchParams.get(key);
        if (wanted) items = items.filter((f) => f[key] === wanted);
      }
      const limit = Number(target.searchParams.get('limit') ?? 20);
      const offset = Number(target.searchParams.get('cursor') ?? 0);
      const page = items.slice(offset, offset + limit);
      return reply(serviceApi.failures.list, {
        items: page.map((f) => ({ ...summary(f), subject: options.subjects?.[f.id] })),
        ...(offset + limit < items.length ? { nextCursor: String(offset + limit) } : {}),
      });
    }
    if (request.method === 'POST' && path === '/api/failures/replay') {
      if (!manage) return forbidden();
      const ids = (body as { ids: string[] }).ids;
      return reply(serviceApi.failures.replayMany, { results: ids.map((id) => ({ id, outcome: replayOne(id) })) });
    }
    const one = /^\/api\/failures\/([^/]+)(\/replay|\/dismiss|\/review|\/resolve-match)?$/.exec(path);
    if (one) {
      const id = decodeURIComponent(one[1]!);
      const failure = failures.get(id);
      if (!failure) return HttpResponse.json({ error: 'unknown failure' }, { status: 404 });
      if (request.method === 'GET' && !one[2]) return reply(serviceApi.failures.get, failure);
      if (request.method === 'GET' && one[2] === '/review') {
        return reply(serviceApi.failures.review, { subject: options.subjects?.[id], match: matches.get(id) });
      }
      if (!manage) return forbidden();
      if (one[2] === '/resolve-match') {
        const choice = body as { person?: string; separate?: true };
        const match = matches.get(id);
        const candidate = match?.candidates.find((c) => c.sourceId === choice.person);
        if (!match || (choice.person && !candidate)) return HttpResponse.json({ error: 'not a candidate' }, { status: 409 });
        const name = request.headers.get(`x-forward-header-${actorNameHeader}`);
        const decision: GuestDecision = {
          ...(candidate ? { person: { sourceId: candidate.sourceId, crmId: candidate.crmId, name: candidate.name } } : {}),
          decidedBy: { userId: 'user-id-1', ...(name ? { name: decodeURIComponent(name) } : {}) },
          decidedAt: '2026-11-24T12:00:00.000Z',
        };
        matches.set(id, { candidates: [], decision });
        failures.set(id, { ...failure, state: 'resolved', resolvedAt: '2026-11-24T12:00:00.000Z' });
        return reply(serviceApi.failures.resolveMatch, { outcome: 'resolved', failure: failures.get(id)!, decision });
      }
      if (one[2] === '/replay') {
        const outcome = replayOne(id);
        return reply(serviceApi.failures.replay, { outcome, failure: failures.get(id)! });
      }
      failures.set(id, { ...failure, state: 'dismissed' });
      return reply(serviceApi.failures.dismiss, failures.get(id)!);
    }
    if (path === '/api/mappings' && request.method === 'GET') {
      return reply(serviceApi.mappings.get, {
        crm: testCrm,
        current: mappingVersions.get(mappingVersions.size)!,
        version: mappingVersions.size,
        history: [...mappingVersions.keys()].map((version) => ({
          version,
          savedAt: new Date(Date.UTC(2026, 10, 20 + version, 9)).toISOString(),
          savedBy: 'user-mia',
          savedByName: 'Mia Merchant',
        })),
      });
    }
    const versionPath = /^\/api\/mappings\/versions\/(\d+)$/.exec(path);
    if (versionPath && request.method === 'GET') {
      const version = Number(versionPath[1]);
      const config = version === 0 ? makeDefaultMapping() : mappingVersions.get(version);
      if (!config) return HttpResponse.json({ error: `no mapping version ${version}` }, { status: 404 });
      return reply(serviceApi.mappings.version, { version, config });
    }
    if (path === '/api/mappings/validate') {
      const result = validateMappingConfig(body, testTarget);
      return reply(serviceApi.mappings.validate, { valid: result.valid, issues: result.issues });
    }
    if (path === '/api/mappings/preview') {
      return reply(serviceApi.mappings.preview, {
        samples: [{ sourceId: 'customer-1', fields: { Email: 'ada@example.test', LastName: 'Lovelace', LeadSource: 'web' } }],
      });
    }
    if (path === '/api/mappings' && request.method === 'PUT') {
      if (!manage) return forbidden();
      const checked = validateMappingConfig(body, testTarget);
      if (!checked.valid) return HttpResponse.json({ error: 'invalid mapping' }, { status: 400 });
      return reply(serviceApi.mappings.save, { version: saveMapping(checked.config) });
    }
    if (path === '/api/mappings/rollback') {
      if (!manage) return forbidden();
      const { version } = body as { version: number };
      if (!mappingVersions.has(version)) return HttpResponse.json({ error: `no mapping version ${version}` }, { status: 404 });
      return reply(serviceApi.mappings.rollback, { version: saveMapping(mappingVersions.get(version)!) });
    }
    return HttpResponse.json({ error: `no route ${request.method} ${path}` }, { status: 404 });
  });

  return { handler, calls, failures, operations, advanceOperation };
}
