import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { MatchCandidate } from '../../../../core/src/api/contract';
import { server } from '../../test/msw-server';
import { fakeService, makeFailure } from '../../test/fake-service';
import { renderPage } from '../../test/render';

const failure = makeFailure({
  id: 'f1',
  sourceId: 'customer-ada',
  attempts: 2,
  fields: { LastName: 'required' },
  history: [
    { at: '2026-11-24T10:05:00.000Z', errorClass: 'validation', message: 'REQUIRED_FIELD_MISSING: LastName', status: 400, correlationId: 'corr-2' },
    { at: '2026-11-24T10:00:00.000Z', errorClass: 'throttled', message: 'REQUEST_LIMIT_EXCEEDED', status: 403, correlationId: 'corr-1' },
  ],
});
const subjects = { f1: { name: 'Ada Lovelace', email: 'ada@example.test' } };

const candidates: MatchCandidate[] = [
  {
    sourceId: 'customer-sam-berlin',
    crmId: '003000000000001',
    name: 'Sam Berlin',
    email: 'sam.shared@example.com',
    stores: ['berlin'],
    lastOrder: { orderNumber: 'SB-0900', at: '2026-10-01T08:00:00.000Z', total: { centAmount: 4990, currencyCode: 'EUR', fractionDigits: 2 } },
  },
  { sourceId: 'customer-sam-boston', crmId: '003000000000002', name: 'Sam Boston', email: 'sam.shared@example.com', stores: ['boston'] },
];
const ambiguous = makeFailure({
  id: 'f4',
  entity: 'order',
  sourceId: 'order-1004',
  errorClass: 'ambiguous_match',
  status: undefined,
  code: undefined,
  message: '2 CRM people match by email; review and resolve before anything is written: 003000000000001 (customer-sam-berlin), 003000000000002 (customer-sam-boston)',
  fields: { 'candidate.1': '003000000000001 (commercetools customer-sam-berlin)', 'candidate.2': '003000000000002 (commercetools customer-sam-boston)' },
  payload: { dependsOn: 'person', dependencyId: 'unknown' },
});
const ambiguousService = (options: { canManage?: boolean } = {}) =>
  fakeService({
    failures: [ambiguous],
    subjects: { f4: { orderNumber: 'SB-1004', email: 'Sam.Shared@example.com', name: 'Guest Shopper' } },
    matches: { f4: { candidates } },
    ...options,
  });

describe('failure detail', () => {
  it('names who the failure is about and shows what went wrong, the redacted payload, the correlation ID and the attempts', async () => {
    server.use(fakeService({ failures: [failure], subjects }).handler);
    renderPage('failures/f1');

    expect(await screen.findByRole('heading', { name: 'Ada Lovelace' })).toBeInTheDocument();
    expect(screen.getByText('Person · ada@example.test')).toBeInTheDocument();
    expect(screen.getAllByText('REQUIRED_FIELD_MISSING: LastName')[0]).toBeInTheDocument();
    expect(screen.getByTestId('record-id')).toHaveTextContent('customer-ada');
    expect(screen.getByTestId('correlation-id')).toHaveTextContent('corr-f1');
    expect(screen.getByLabelText('What was sent (personal data removed)')).toHaveTextContent('"Email": "ada@example.test"');
    expect(screen.getByText('LastName: required')).toBeInTheDocument();
    const attempts = within(screen.getByRole('list', { name: 'Attempts' })).getAllByRole('listitem');
    expect(attempts).toHaveLength(2);
    expect(attempts[0]).toHaveTextContent('2026-11-24 10:05:00 UTC — Validation (400): REQUIRED_FIELD_MISSING: LastName · corr-2');
    expect(attempts[1]).toHaveTextContent('Throttled (403): REQUEST_LIMIT_EXCEEDED');
  });

  it('replays the record and shows it resolved', async () => {
    const user = userEvent.setup();
    const service = fakeService({ failures: [failure], subjects });
    server.use(service.handler);
    renderPage('failures/f1');

    await user.click(await screen.findByRole('button', { name: 'Replay' }));
    expect(await screen.findByText('Replayed: the record is in sync now.')).toBeInTheDocument();
    expect(screen.getByText('resolved')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Replay' })).not.toBeInTheDocument();
    expect(service.calls.at(-1)).toMatchObject({ method: 'POST', path: '/api/failures/f1/replay' });
  });

  it('says so when the replay fails again', async () => {
    const user = userEvent.setup();
    server.use(fakeService({ failures: [failure], subjects, replayResolves: false }).handler);
    renderPage('failures/f1');

    await user.click(await screen.findByRole('button', { name: 'Replay' }));
    expect(await screen.findByText('Replay failed again: REQUIRED_FIELD_MISSING: LastName')).toBeInTheDocument();
  });

  it('hides replay and dismiss without Manage', async () => {
    server.use(fakeService({ failures: [failure], subjects, canManage: false }).handler);
    renderPage('failures/f1', { canManage: false });

    await screen.findByRole('heading', { name: 'Ada Lovelace' });
    expect(screen.queryByRole('button', { name: 'Replay' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Dismiss' })).not.toBeInTheDocument();
  });

  it('lays out an ambiguous guest order: the candidates by name, email, store and last order; nothing claims a payload was sent', async () => {
    server.use(ambiguousService().handler);
    renderPage('failures/f4');

    expect(await screen.findByRole('heading', { name: 'Order SB-1004' })).toBeInTheDocument();
    const review = await screen.findByRole('region', { name: 'Who placed this order?' });
    expect(review).toHaveTextContent('The order was placed as a guest with Sam.Shared@example.com, and 2 synced customers have that email.');
    const berlin = within(review).getByText('Sam Berlin').closest('tr')!;
    expect(berlin).toHaveTextContent('sam.shared@example.com');
    expect(berlin).toHaveTextContent('berlin');
    expect(berlin).toHaveTextContent('SB-0900 on 2026-10-01 08:00:00 UTC, €49.90');
    expect(within(review).getByText('Sam Boston').closest('tr')).toHaveTextContent('no orders yet');
    expect(screen.getByText('Nothing was sent: this record waits for its Person, which could not be synced.')).toBeInTheDocument();
    expect(screen.queryByText(/dependencyId/)).not.toBeInTheDocument();
    // Replaying would only meet the same two people again: the decision is the way out.
    expect(screen.queryByRole('button', { name: 'Replay' })).not.toBeInTheDocument();
  });

  it('links the order to the chosen customer after confirming what that writes, and shows who decided', async () => {
    const user = userEvent.setup();
    const service = ambiguousService();
    server.use(service.handler);
    renderPage('failures/f4');

    await user.click(await screen.findByRole('button', { name: 'Link to Sam Berlin' }));
    const dialog = await screen.findByRole('dialog', { name: 'Link the order to Sam Berlin?' });
    expect(dialog).toHaveTextContent('The order is written to Salesforce now, linked to Sam Berlin’s record. Later guest orders placed with Sam.Shared@example.com are linked to Sam Berlin too.');
    expect(service.calls.some((c) => c.path.endsWith('/resolve-match'))).toBe(false);
    await user.click(within(dialog).getByRole('button', { name: 'Link and write' }));

    expect(await screen.findByText('Decided and written: the order is in Salesforce now.')).toBeInTheDocument();
    const call = service.calls.find((c) => c.path === '/api/failures/f4/resolve-match')!;
    expect(call.body).toEqual({ person: 'customer-sam-berlin' });
    // The name the user is shown by travels with the change (the session proves only the ID).
    expect(call.headers.get('x-forward-header-x-crm-sync-user-name')).toBe('Sheldon%20Cooper');
    expect(await screen.findByText(/Sheldon Cooper decided on 2026-11-24 12:00:00 UTC that guest orders with this email belong to Sam Berlin\./)).toBeInTheDocument();
    expect(screen.getByText('resolved')).toBeInTheDocument();
  });

  it('creates a separate record for the guest when the user chooses so', async () => {
    const user = userEvent.setup();
    const service = ambiguousService();
    server.use(service.handler);
    renderPage('failures/f4');

    await user.click(await screen.findByRole('button', { name: 'Create a separate record' }));
    const dialog = await screen.findByRole('dialog', { name: 'Create a separate record for the guest?' });
    await user.click(within(dialog).getByRole('button', { name: 'Link and write' }));
    await waitFor(() => expect(service.calls.find((c) => c.path === '/api/failures/f4/resolve-match')?.body).toEqual({ separate: true }));
    expect(await screen.findByText(/decided on .* that the guest with this email gets a record of its own/)).toBeInTheDocument();
  });

  it('shows the candidates but no decision buttons without Manage', async () => {
    server.use(ambiguousService({ canManage: false }).handler);
    renderPage('failures/f4', { canManage: false });

    await screen.findByText('Sam Berlin');
    expect(screen.queryByRole('button', { name: /Link to/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Create a separate record' })).not.toBeInTheDocument();
  });
});
