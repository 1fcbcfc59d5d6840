import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { server } from '../../test/msw-server';
import { fakeService, makeFailure } from '../../test/fake-service';
import { renderPage } from '../../test/render';

const seeded = () => [
  makeFailure({ id: 'f1', sourceId: 'customer-ada', lastFailedAt: '2026-11-24T10:00:00.000Z' }),
  makeFailure({ id: 'f2', sourceId: 'customer-bob', errorClass: 'throttled', message: 'REQUEST_LIMIT_EXCEEDED', attempts: 4 }),
  makeFailure({ id: 'f3', sourceId: 'customer-cy', state: 'resolved' }),
];

const listCalls = (calls: ReturnType<typeof fakeService>['calls']) =>
  calls.filter((c) => c.method === 'GET' && c.path === '/api/failures');

describe('failures page', () => {
  it('lists failed records in a data table with CRM, entity, class, message, attempts and state', async () => {
    const service = fakeService({ failures: seeded() });
    server.use(service.handler);
    renderPage('failures');

    const row = (await screen.findByText('customer-ada')).closest('tr')!;
    expect(within(row).getByText('salesforce')).toBeInTheDocument();
    expect(within(row).getByText('person')).toBeInTheDocument();
    expect(within(row).getByText('Validation')).toBeInTheDocument();
    expect(within(row).getByText('open')).toBeInTheDocument();
    expect(screen.getByText('REQUEST_LIMIT_EXCEEDED')).toBeInTheDocument();
    expect(listCalls(service.calls)[0]!.search.get('sort')).toBe('lastFailedAt');
    expect(listCalls(service.calls)[0]!.search.get('limit')).toBe('20');
  });

  it('takes filters from the URL (links from the status page) and sends them to the service', async () => {
    const service = fakeService({ failures: seeded() });
    server.use(service.handler);
    renderPage('failures?crm=salesforce&entity=person&errorClass=throttled&state=open');

    await screen.findByText('customer-bob');
    expect(screen.queryByText('customer-ada')).not.toBeInTheDocument();
    const search = listCalls(service.calls).at(-1)!.search;
    expect(search.get('crm')).toBe('salesforce');
    expect(search.get('entity')).toBe('person');
    expect(search.get('errorClass')).toBe('throttled');
    expect(search.get('state')).toBe('open');
  });

  it('drops a filter in the URL that the service would refuse, and keeps the others', async () => {
    const service = fakeService({ failures: seeded() });
    server.use(service.handler);
    renderPage('failures?errorClass=bogus&state=open');

    await screen.findByText('customer-bob');
    const search = listCalls(service.calls).at(-1)!.search;
    expect(search.has('errorClass')).toBe(false);
    expect(search.get('state')).toBe('open');
  });

  it('sorts by a column', async () => {
    const user = userEvent.setup();
    const service = fakeService({ failures: seeded() });
    server.use(service.handler);
    renderPage('failures');
    await screen.findByText('customer-ada');

    await user.click(screen.getByRole('button', { name: /Attempts/ }));
    await waitFor(() => expect(listCalls(service.calls).at(-1)!.search.get('sort')).toBe('attempts'));
    await user.click(screen.getByRole('button', { name: /Last failed/ }));
    await waitFor(() => expect(listCalls(service.calls).at(-1)!.search.get('sort')).toMatch(/^-?lastFailedAt$/));
  });

  it('replays the selected records and shows the outcome in the table', async () => {
    const user = userEvent.setup();
    const service = fakeService({ failures: seeded() });
    server.use(service.handler);
    renderPage('failures');
    await screen.findByText('customer-ada');

    await user.click(screen.getByRole('checkbox', { name: 'Select customer-ada' }));
    await user.click(screen.getByRole('checkbox', { name: 'Select customer-bob' }));
    await user.click(screen.getByRole('button', { name: 'Replay selected (2)' }));

    expect(await screen.findByText('Replayed 2: 2 resolved, 0 still failing.')).toBeInTheDocument();
    const replay = service.calls.find((c) => c.path === '/api/failures/replay')!;
    expect(replay.body).toEqual({ ids: ['f1', 'f2'] });
    await waitFor(() => expect(within(screen.getByText('customer-ada').closest('tr')!).getByText('resolved')).toBeInTheDocument());
    expect(within(screen.getByText('customer-bob').closest('tr')!).getByText('resolved')).toBeInTheDocument();
  });

  it('dismisses one record from its row', async () => {
    const user = userEvent.setup();
    const service = fakeService({ failures: seeded() });
    server.use(service.handler);
    renderPage('failures');
    const row = (await screen.findByText('customer-ada')).closest('tr')!;

    await user.click(within(row).getByRole('button', { name: 'Dismiss' }));
    expect(await screen.findByText('Dismissed 1.')).toBeInTheDocument();
    await waitFor(() => expect(within(screen.getByText('customer-ada').closest('tr')!).getByText('dismissed')).toBeInTheDocument());
    expect(service.calls.some((c) => c.method === 'POST' && c.path === '/api/failures/f1/dismiss')).toBe(true);
  });

  it('pages with the cursor the service returns', async () => {
    const user = userEvent.setup();
    const many = Array.from({ length: 25 }, (_, i) => makeFailure({ id: `p${i}`, sourceId: `customer-${String(i).padStart(2, '0')}` }));
    const service = fakeService({ failures: many });
    server.use(service.handler);
    renderPage('failures');
    await screen.findByText('customer-00');
    expect(screen.queryByText('customer-24')).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('customer-24')).toBeInTheDocument();
    expect(listCalls(service.calls).at(-1)!.search.get('cursor')).toBe('20');
    expect(screen.getByText('Page 2')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Previous page' }));
    expect(await screen.findByText('customer-00')).toBeInTheDocument();
  });

  it('shows no replay or dismiss controls without the Manage permission', async () => {
    const service = fakeService({ failures: seeded(), canManage: false });
    server.use(service.handler);
    renderPage('failures', { canManage: false });

    await screen.findByText('customer-ada');
    expect(screen.queryByRole('button', { name: /Replay/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Dismiss/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('checkbox')).not.toBeInTheDocument();
    expect(screen.getByText(/needs the Manage permission/)).toBeInTheDocument();
  });
});
