import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { server } from '../../test/msw-server';
import { fakeService, makeStatus, testMcApiUrl } from '../../test/fake-service';
import { renderPage } from '../../test/render';

const withStatus = (overrides: Partial<ReturnType<typeof makeStatus>>) =>
  http.all(`${testMcApiUrl}/proxy/forward-to`, ({ request }) => {
    const target = new URL(request.headers.get('x-forward-to')!);
    if (target.pathname === '/api/status') return HttpResponse.json({ connections: [{ ...makeStatus(), ...overrides }] });
    return undefined;
  });

describe('status page', () => {
  it('shows the health with what needs attention, the processed chart, open failures by class, the last job run and the checkpoint', async () => {
    const service = fakeService();
    server.use(service.handler);
    renderPage('status');

    const card = await screen.findByRole('region', { name: 'Connection sandbox' });
    // The CRM as the service names it (GET /api/mappings' crm part), not the connector's key.
    expect(await within(card).findByText('CRM: Salesforce')).toBeInTheDocument();
    expect(within(card).getByText('Needs attention')).toBeInTheDocument();
    const reasons = within(card).getByRole('list', { name: 'Health of sandbox' });
    expect(reasons).toHaveTextContent('3 failed records wait for review or for the next automatic attempt.');
    expect(within(reasons).getByRole('link', { name: 'Review the open failures' })).toHaveAttribute(
      'href',
      '/test-project/crm-sync/failures?crm=salesforce&state=open'
    );
    expect(within(card).getByText('REQUIRED_FIELD_MISSING: LastName')).toBeInTheDocument();
    expect(within(card).getByText('2 min ago')).toBeInTheDocument();
    expect(within(card).getByText('2026-11-24 11:30:00 UTC — succeeded')).toBeInTheDocument();

    const chart = within(card).getByRole('img', { name: /sandbox: 24 written, 2 failed in the last 24 hours/ });
    expect(within(chart).getAllByTestId('processed-bar')).toHaveLength(24);

    const byClass = within(card).getByRole('list', { name: 'Open failures of sandbox by class' });
    const link = within(byClass).getByRole('link', { name: 'Validation: 2' });
    expect(link).toHaveAttribute('href', '/test-project/crm-sync/failures?crm=salesforce&errorClass=validation&state=open');
    expect(within(card).getByText('Open failures: 3')).toBeInTheDocument();

    // The other direction: counts from the status, the latest changes from the sync log with their correlation IDs.
    expect(within(card).getByText('Changes from Salesforce')).toBeInTheDocument();
    expect(within(card).getByText('Last 24 hours: 2 changes applied to commercetools, 1 not applied')).toBeInTheDocument();
    const latest = await within(card).findByRole('list', { name: 'Latest changes from Salesforce' });
    expect(within(latest).getAllByRole('listitem').map((item) => item.textContent)).toEqual([
      expect.stringMatching(/person 003000000000001 → customer-1, written \(correlation ID webhook-2\)$/),
      expect.stringMatching(/person 003000000000001 → customer-1, failed \(correlation ID webhook-1\)$/),
    ]);
    const logCall = service.calls.find((c) => c.path === '/api/log')!;
    expect(logCall.search.get('direction')).toBe('crm-to-ct');
    expect(logCall.search.get('since')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(service.calls.map((c) => `${c.method} ${c.path}`).sort()).toEqual(['GET /api/log', 'GET /api/mappings', 'GET /api/status']);
  });

  it('says what each health reason means and where to act: failing writes, throttling, a lagging job, a failed run', async () => {
    server.use(
      withStatus({
        health: {
          state: 'failing',
          reasons: [
            { kind: 'writes_failing', since: '2026-11-24T09:30:00.000Z', count: 12 },
            { kind: 'throttled', lastHour: 4, waiting: 2 },
            { kind: 'stale_checkpoint', behindSeconds: 7200 },
            { kind: 'job_failed', at: '2026-11-24T09:51:00.000Z' },
          ],
        },
      }),
      fakeService().handler
    );
    renderPage('status');

    const card = await screen.findByRole('region', { name: 'Connection sandbox' });
    expect(within(card).getByText('Failing')).toBeInTheDocument();
    const reasons = within(card).getByRole('list', { name: 'Health of sandbox' });
    expect(reasons).toHaveTextContent('Every write since 2026-11-24 09:30:00 UTC failed (12 records)');
    expect(reasons).toHaveTextContent('The CRM slowed writes down: 4 throttled in the last hour, 2 waiting for their next attempt.');
    expect(within(reasons).getByRole('link', { name: 'See the throttled records' })).toHaveAttribute(
      'href',
      '/test-project/crm-sync/failures?crm=salesforce&errorClass=throttled'
    );
    expect(reasons).toHaveTextContent('The scheduled job is 2.0 h behind commercetools changes');
    expect(reasons).toHaveTextContent('The job’s last run (2026-11-24 09:51:00 UTC) did not finish cleanly');
  });

  it('says so when the last error kept no message, instead of a time alone', async () => {
    server.use(withStatus({ lastError: undefined }), fakeService().handler);
    renderPage('status');
    const card = await screen.findByRole('region', { name: 'Connection sandbox' });
    expect(within(card).getByText('No message was kept for it.')).toBeInTheDocument();
  });

  it('speaks German to a German user', async () => {
    server.use(fakeService().handler);
    renderPage('status', { locale: 'de' });
    const card = await screen.findByRole('region', { name: 'Verbindung sandbox' });
    expect(within(card).getByText('Braucht Aufmerksamkeit')).toBeInTheDocument();
    expect(within(card).getByRole('link', { name: 'Offene Fehler prüfen' })).toBeInTheDocument();
    expect(within(card).getByText('Offene Fehler: 3')).toBeInTheDocument();
  });

  it('refuses an answer that is not what the contract says, naming the route', async () => {
    // A service answering an older shape: the open failures as a total instead of per class.
    server.use(http.all(`${testMcApiUrl}/proxy/forward-to`, () => HttpResponse.json({ connections: [{ ...makeStatus(), openFailuresByClass: 3 }] })));
    renderPage('status');

    expect(await screen.findByText(/^Unexpected answer from GET \/api\/status: /)).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Connection sandbox' })).not.toBeInTheDocument();
  });
});
