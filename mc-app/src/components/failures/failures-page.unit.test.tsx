import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { server } from '../../test/msw-server';
import { fakeService, makeFailure } from '../../test/fake-service';
import { renderPage } from '../../test/render';

const seeded = () => [
  makeFailure({ id: 'f1', sourceId: 'customer-ada', lastFailedAt: '2026-11-24T10:00:00.000Z', message: 'REQUIRED_FIELD_MISSING: LastName is required for every contact in this org' }),
  makeFailure({ id: 'f2', sourceId: 'customer-bob', errorClass: 'throttled', message: 'REQUEST_LIMIT_EXCEEDED', attempts: 4 }),
  makeFailure({ id: 'f3', sourceId: 'customer-cy', state: 'resolved' }),
  makeFailure({ id: 'f4', entity: 'order', sourceId: 'order-1004', errorClass: 'ambiguous_match', message: '2 CRM people match by email' }),
  makeFailure({ id: 'f5', direction: 'crm-to-ct', crm: 'close', sourceId: 'lead_xyz', message: 'customer changed meanwhile' }),
];
/** Who each failure is about, as the service reads it live from commercetools. */
const subjects = {
  f1: { name: 'Ada Lovelace', email: 'ada@example.test' },
  f2: { name: 'Bob Builder', email: 'bob@example.test' },
  f3: { name: 'Cy Young', email: 'cy@example.test' },
  f4: { orderNumber: 'SB-1004', email: 'Sam.Shared@example.com', name: 'Guest Shopper' },
};

const listCalls = (calls: ReturnType<typeof fakeService>['calls']) => calls.filter((c) => c.method === 'GET' && c.path === '/api/failures');
const rowOf = (text: string) => screen.getByText(text).closest('tr')!;

describe('failures page', () => {
  it('names who or what each failure is about, links it to its detail, and keeps the whole message on hover', async () => {
    const service = fakeService({ failures: seeded(), subjects });
    server.use(service.handler);
    renderPage('failures');

    const ada = await screen.findByRole('link', { name: 'Ada Lovelace' });
    expect(ada).toHaveAttribute('href', '/test-project/crm-sync/failures/f1');
    const row = rowOf('Ada Lovelace');
    expect(within(row).getByText('ada@example.test')).toBeInTheDocument();
    expect(within(row).getByText('Person')).toBeInTheDocument();
    // Which CRM and which way, as the service names the CRM.
    expect(within(row).getByText('commercetools → Salesforce')).toBeInTheDocument();
    expect(within(row).getByText('Validation')).toBeInTheDocument();
    expect(within(row).getByText('open')).toBeInTheDocument();
    const message = within(row).getByText('REQUIRED_FIELD_MISSING: LastName is required for every contact in this org');
    expect(message).toHaveAttribute('title', 'REQUIRED_FIELD_MISSING: LastName is required for every contact in this org');

    const order = rowOf('Order SB-1004');
    expect(within(order).getByText('Guest Shopper · Sam.Shared@example.com')).toBeInTheDocument();
    expect(within(order).getByText('Ambiguous match')).toBeInTheDocument();
    // Replaying an ambiguous match would meet the same people again: its row leads to the decision instead.
    expect(within(order).getByRole('link', { name: 'Decide' })).toHaveAttribute('href', '/test-project/crm-sync/failures/f4');
    expect(within(order).queryByRole('button', { name: 'Replay' })).not.toBeInTheDocument();
    // A CRM → commercetools failure of another CRM: its direction, and the CRM by its key (this connection does not know its label).
    const inbound = rowOf('Person lead_xyz');
    expect(within(inbound).getByText('close → commercetools')).toBeInTheDocument();
    expect(listCalls(service.calls)[0]!.search.get('sort')).toBe('lastFailedAt');
    expect(listCalls(service.calls)[0]!.search.get('limit')).toBe('20');
  });

  it('filters by direction and by CRM, the CRM named as the service names it', async () => {
    const user = userEvent.setup();
    const service = fakeService({ failures: seeded(), subjects });
    server.use(service.handler);
    renderPage('failures');
    await screen.findByText('Ada Lovelace');

    await user.click(screen.getByRole('combobox', { name: 'Direction' }));
    await user.click(screen.getByRole('option', { name: 'CRM → commercetools' }));
    await waitFor(() => expect(listCalls(service.calls).at(-1)!.search.get('direction')).toBe('crm-to-ct'));
    expect(await screen.findByText('Person lead_xyz')).toBeInTheDocument();
    expect(screen.queryByText('Ada Lovelace')).not.toBeInTheDocument();

    await user.click(screen.getByRole('combobox', { name: 'CRM' }));
    await user.click(screen.getByRole('option', { name: 'Salesforce' }));
    await waitFor(() => expect(listCalls(service.calls).at(-1)!.search.get('crm')).toBe('salesforce'));
    expect(await screen.findByText('No failed records match these filters.')).toBeInTheDocument();
  });

  it('takes filters from the URL (links from the status page) and sends them to the service', async () => {
    const service = fakeService({ failures: seeded(), subjects });
    server.use(service.handler);
    renderPage('failures?crm=salesforce&direction=ct-to-crm&entity=person&errorClass=throttled&state=open');

    await screen.findByText('Bob Builder');
    expect(screen.queryByText('Ada Lovelace')).not.toBeInTheDocument();
    const search = listCalls(service.calls).at(-1)!.search;
    expect(search.get('crm')).toBe('salesforce');
    expect(search.get('direction')).toBe('ct-to-crm');
    expect(search.get('entity')).toBe('person');
    expect(search.get('errorClass')).toBe('throttled');
    expect(search.get('state')).toBe('open');
  });

  it('drops a filter in the URL that the service would refuse, and keeps the others', async () => {
    const service = fakeService({ failures: seeded(), subjects });
    server.use(service.handler);
    renderPage('failures?errorClass=bogus&direction=sideways&state=open');

    await screen.findByText('Bob Builder');
    const search = listCalls(service.calls).at(-1)!.search;
    expect(search.has('errorClass')).toBe(false);
    expect(search.has('direction')).toBe(false);
    expect(search.get('state')).toBe('open');
  });

  it('sorts by a column', async () => {
    const user = userEvent.setup();
    const service = fakeService({ failures: seeded(), subjects });
    server.use(service.handler);
    renderPage('failures');
    await screen.findByText('Ada Lovelace');

    await user.click(screen.getByRole('button', { name: /Attempts/ }));
    await waitFor(() => expect(listCalls(service.calls).at(-1)!.search.get('sort')).toBe('attempts'));
    await user.click(screen.getByRole('button', { name: /Last failed/ }));
    await waitFor(() => expect(listCalls(service.calls).at(-1)!.search.get('sort')).toMatch(/^-?lastFailedAt$/));
  });

  it('replays the selected records once the user confirms what that writes, and shows the outcome in the table', async () => {
    const user = userEvent.setup();
    const service = fakeService({ failures: seeded(), subjects });
    server.use(service.handler);
    renderPage('failures');
    await screen.findByText('Ada Lovelace');

    await user.click(screen.getByRole('checkbox', { name: 'Select Ada Lovelace' }));
    await user.click(screen.getByRole('checkbox', { name: 'Select Bob Builder' }));
    await user.click(screen.getByRole('button', { name: 'Replay selected (2)' }));
    const dialog = await screen.findByRole('dialog', { name: 'Replay 2 records?' });
    expect(dialog).toHaveTextContent('Each record is read again from commercetools and written to Salesforce now');
    expect(service.calls.some((c) => c.path === '/api/failures/replay')).toBe(false);
    await user.click(within(dialog).getByRole('button', { name: 'Replay' }));

    expect(await screen.findByText('Replayed 2: 2 resolved, 0 still failing.')).toBeInTheDocument();
    const replay = service.calls.find((c) => c.path === '/api/failures/replay')!;
    expect(replay.body).toEqual({ ids: ['f1', 'f2'] });
    await waitFor(() => expect(within(rowOf('Ada Lovelace')).getByText('resolved')).toBeInTheDocument());
    expect(within(rowOf('Bob Builder')).getByText('resolved')).toBeInTheDocument();
  });

  it('cancels a bulk replay without sending anything', async () => {
    const user = userEvent.setup();
    const service = fakeService({ failures: seeded(), subjects });
    server.use(service.handler);
    renderPage('failures');
    await screen.findByText('Ada Lovelace');

    await user.click(screen.getByRole('checkbox', { name: 'Select Ada Lovelace' }));
    await user.click(screen.getByRole('button', { name: 'Replay selected (1)' }));
    await user.click(within(await screen.findByRole('dialog', { name: 'Replay 1 record?' })).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(service.calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('dismisses one record from its row', async () => {
    const user = userEvent.setup();
    const service = fakeService({ failures: seeded(), subjects });
    server.use(service.handler);
    renderPage('failures');
    await screen.findByText('Ada Lovelace');

    await user.click(within(rowOf('Ada Lovelace')).getByRole('button', { name: 'Dismiss' }));
    expect(await screen.findByText('Dismissed 1.')).toBeInTheDocument();
    await waitFor(() => expect(within(rowOf('Ada Lovelace')).getByText('dismissed')).toBeInTheDocument());
    expect(service.calls.some((c) => c.method === 'POST' && c.path === '/api/failures/f1/dismiss')).toBe(true);
  });

  it('pages with the cursor the service returns', async () => {
    const user = userEvent.setup();
    const many = Array.from({ length: 25 }, (_, i) => makeFailure({ id: `p${i}`, sourceId: `customer-${String(i).padStart(2, '0')}` }));
    const names = Object.fromEntries(many.map((f, i) => [f.id, { name: `Customer ${String(i).padStart(2, '0')}` }]));
    const service = fakeService({ failures: many, subjects: names });
    server.use(service.handler);
    renderPage('failures');
    await screen.findByText('Customer 00');
    expect(screen.queryByText('Customer 24')).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('Customer 24')).toBeInTheDocument();
    expect(listCalls(service.calls).at(-1)!.search.get('cursor')).toBe('20');
    expect(screen.getByText('Page 2')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Previous page' }));
    expect(await screen.findByText('Customer 00')).toBeInTheDocument();
  });

  it('shows no replay or dismiss controls without the Manage permission', async () => {
    const service = fakeService({ failures: seeded(), subjects, canManage: false });
    server.use(service.handler);
    renderPage('failures', { canManage: false });

    await screen.findByText('Ada Lovelace');
    expect(screen.queryByRole('button', { name: /Replay/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Dismiss/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('checkbox')).not.toBeInTheDocument();
    expect(screen.getByText(/needs the Manage permission/)).toBeInTheDocument();
  });
});
