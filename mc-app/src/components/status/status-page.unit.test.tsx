import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { server } from '../../test/msw-server';
import { fakeService, makeStatus, testMcApiUrl } from '../../test/fake-service';
import { renderPage } from '../../test/render';

describe('status page', () => {
  it('shows health, processed chart, open failures by class, last job run and checkpoint lag per connection', async () => {
    const service = fakeService();
    server.use(service.handler);
    renderPage('status');

    const card = await screen.findByRole('region', { name: 'Connection sandbox' });
    expect(within(card).getByText('CRM: salesforce')).toBeInTheDocument();
    // Last success (11:00) is after the last error (10:00).
    expect(within(card).getByText('Healthy')).toBeInTheDocument();
    expect(within(card).getByText('REQUIRED_FIELD_MISSING: LastName')).toBeInTheDocument();
    expect(within(card).getByText('2 min')).toBeInTheDocument();
    expect(within(card).getByText('2026-11-24 11:30:00 UTC — succeeded')).toBeInTheDocument();

    const chart = within(card).getByRole('img', { name: /sandbox: 24 written, 2 failed in the last 24 hours/ });
    expect(within(chart).getAllByTestId('processed-bar')).toHaveLength(24);

    const byClass = within(card).getByRole('list', { name: 'Open failures of sandbox by class' });
    const link = within(byClass).getByRole('link', { name: 'Validation: 2' });
    expect(link).toHaveAttribute('href', '/test-project/crm-sync/failures?crm=salesforce&errorClass=validation&state=open');
    expect(within(card).getByText('Open failures: 3')).toBeInTheDocument();
    expect(service.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /api/status']);
  });

  it('refuses an answer that is not what the contract says, naming the route', async () => {
    // A service answering an older shape: the open failures as a total instead of per class.
    server.use(http.all(`${testMcApiUrl}/proxy/forward-to`, () => HttpResponse.json({ connections: [{ ...makeStatus(), openFailuresByClass: 3 }] })));
    renderPage('status');

    expect(await screen.findByText(/^Unexpected answer from GET \/api\/status: /)).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Connection sandbox' })).not.toBeInTheDocument();
  });
});
