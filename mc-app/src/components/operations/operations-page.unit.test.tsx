import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { actorNameHeader, type Operation, type ReconciliationReportAnswer } from '../../../../core/src/api/contract';
import { server } from '../../test/msw-server';
import { fakeService } from '../../test/fake-service';
import { renderPage } from '../../test/render';

const report: ReconciliationReportAnswer = {
  connection: 'sandbox',
  crm: 'salesforce',
  startedAt: '2026-11-24T09:00:00.000Z',
  finishedAt: '2026-11-24T09:00:05.000Z',
  repair: true,
  counts: { commercetools: 40, crm: 41, inSync: 37, missing_in_crm: 1, stale_in_crm: 1, orphaned_in_crm: 1, ownership_violation: 0, repaired: 2, repairFailed: 0 },
  items: [
    { kind: 'missing_in_crm', entity: 'person', sourceId: 'customer-7', repaired: true },
    { kind: 'stale_in_crm', entity: 'person', sourceId: 'customer-3', crmId: '003000000000003', fields: ['LastName'], repaired: true },
    { kind: 'orphaned_in_crm', entity: 'person', sourceId: 'customer-gone', crmId: '003000000000099', repaired: false, error: 'orphans are reported, not deleted' },
  ],
  truncated: false,
};

const finishedReconciliation: Operation = {
  id: 'operation-0',
  connection: 'sandbox',
  request: { kind: 'reconcile', repair: false },
  requestedBy: { userId: 'user-id-2', name: 'Rob Reader' },
  requestedAt: '2026-11-23T08:00:00.000Z',
  state: 'failed',
  startedAt: '2026-11-23T08:00:01.000Z',
  finishedAt: '2026-11-23T08:00:03.000Z',
  detail: 'Salesforce cannot be reached',
};

describe('operations page', () => {
  it('starts a scoped backfill after saying what it will do, and follows it to its end', async () => {
    const user = userEvent.setup();
    const service = fakeService();
    server.use(service.handler);
    renderPage('operations');

    const backfill = await screen.findByRole('region', { name: 'Backfill or scoped re-sync' });
    expect(await screen.findByText('No operation has been started yet.')).toBeInTheDocument();
    await user.click(within(backfill).getByLabelText('companies'));
    await user.click(within(backfill).getByLabelText('orders'));
    await user.type(within(backfill).getByLabelText('Store key'), 'berlin');
    await user.click(within(backfill).getByRole('button', { name: 'Start backfill' }));

    const dialog = await screen.findByRole('dialog', { name: 'Start a backfill?' });
    expect(dialog).toHaveTextContent('The job reads customers of store berlin from commercetools and writes them to Salesforce');
    expect(dialog).toHaveTextContent('nothing is deleted');
    await user.click(within(dialog).getByRole('button', { name: 'Start' }));

    expect(await screen.findByRole('status')).toHaveTextContent('The scoped re-sync is queued; the job starts it now or on its next scheduled run.');
    const start = service.calls.find((c) => c.method === 'POST' && c.path === '/api/operations')!;
    expect(start.body).toEqual({ kind: 'backfill', entities: ['customer'], scope: { store: 'berlin' } });
    expect(start.headers.get(`x-forward-header-${actorNameHeader}`)).toBeTruthy();
    // The list is read afresh each time: the page re-renders it as answers come in.
    const list = () => screen.getByRole('list', { name: 'Current and recent operations' });
    await waitFor(() => expect(within(list()).getByText('queued')).toBeInTheDocument());
    expect(within(list()).getByText('Waiting for the job to start it.')).toBeInTheDocument();
    // One operation at a time: nothing else can start while it waits or runs.
    expect(within(backfill).getByRole('button', { name: 'Start backfill' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Start reconciliation' })).toBeDisabled();

    service.advanceOperation();
    await user.click(screen.getByRole('button', { name: 'Refresh' }));
    await waitFor(() => expect(within(list()).getByRole('progressbar', { name: 'Progress of scoped re-sync' })).toHaveAttribute('aria-valuenow', '2'));
    expect(within(list()).getByRole('progressbar')).toHaveAttribute('aria-valuemax', '6');
    expect(within(list()).getByText('2 of 6 records · 1.5 records a second · about 3 s left')).toBeInTheDocument();
    expect(within(list()).getByText(/^scoped re-sync, started by .+ at 2026-11-24 12:00:00 UTC$/)).toBeInTheDocument();

    service.advanceOperation();
    await waitFor(() => expect(screen.getByRole('button', { name: 'Refresh' })).toBeEnabled());
    await user.click(screen.getByRole('button', { name: 'Refresh' }));
    await waitFor(() => expect(within(list()).getByText('succeeded')).toBeInTheDocument());
    expect(within(list()).getByText('6 of 6 records · 1.5 records a second')).toBeInTheDocument();
    expect(within(list()).getByText('Finished at 2026-11-24 12:00:04 UTC')).toBeInTheDocument();
    expect(within(list()).getByText('backfill.customer.written: 6')).toBeInTheDocument();
    await waitFor(() => expect(within(backfill).getByRole('button', { name: 'Start backfill' })).toBeEnabled());
  });

  it('starts a reconciliation that only reports, saying that nothing is written', async () => {
    const user = userEvent.setup();
    const service = fakeService();
    server.use(service.handler);
    renderPage('operations');

    const reconcile = await screen.findByRole('region', { name: 'Reconciliation' });
    await user.click(within(reconcile).getByLabelText('Repair what differs'));
    await user.click(within(reconcile).getByRole('button', { name: 'Start reconciliation' }));
    const dialog = await screen.findByRole('dialog', { name: 'Start a reconciliation?' });
    expect(dialog).toHaveTextContent('only reports what differs; nothing is written');
    await user.click(within(dialog).getByRole('button', { name: 'Start' }));
    await screen.findByRole('status');
    expect(service.calls.find((c) => c.method === 'POST' && c.path === '/api/operations')!.body).toEqual({ kind: 'reconcile', repair: false });
  });

  it('shows the refusal when another operation is in the way', async () => {
    const user = userEvent.setup();
    const service = fakeService();
    server.use(service.handler);
    renderPage('operations');
    // Someone else started one after this page loaded.
    await screen.findByText('No operation has been started yet.');
    service.operations.unshift({ ...finishedReconciliation, id: 'operation-9', state: 'running', finishedAt: undefined, detail: undefined });
    await user.click(screen.getByRole('button', { name: 'Start reconciliation' }));
    await user.click(within(await screen.findByRole('dialog', { name: 'Start a reconciliation?' })).getByRole('button', { name: 'Start' }));
    expect(await screen.findByRole('status')).toHaveTextContent('the reconcile is running: wait for it to finish');
    expect(await screen.findByText('running')).toBeInTheDocument();
  });

  it('lets a user with View only watch: operations, failures with their reason, the report with its repairs', async () => {
    const service = fakeService({ canManage: false, operations: [finishedReconciliation], report });
    server.use(service.handler);
    renderPage('operations', { canManage: false });

    expect(await screen.findByText('Starting an operation needs the Manage permission; you can watch them.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Start backfill' })).not.toBeInTheDocument();
    const list = await screen.findByRole('list', { name: 'Current and recent operations' });
    expect(within(list).getByText('reconciliation (report only), started by Rob Reader at 2026-11-23 08:00:00 UTC')).toBeInTheDocument();
    expect(within(list).getByText('Failed: Salesforce cannot be reached')).toBeInTheDocument();

    const latest = await screen.findByRole('region', { name: 'Latest reconciliation' });
    expect(await within(latest).findByText(/40 records in commercetools, 41 in Salesforce, 37 in sync/)).toBeInTheDocument();
    const byKind = within(latest).getByRole('list', { name: 'Drift by kind' });
    expect(within(byKind).getAllByRole('listitem').map((item) => item.textContent)).toEqual([
      'Missing in the CRM: 1',
      'Outdated in the CRM: 1',
      'Only in the CRM: 1',
      'Changed against its owner: 0',
    ]);
    expect(within(latest).getByText('Repaired: 2, repair failed: 0')).toBeInTheDocument();
    const drifted = within(latest).getByRole('region', { name: 'Drifted records' });
    expect(within(drifted).getByText('LastName')).toBeInTheDocument();
    expect(within(drifted).getAllByText('repaired')).toHaveLength(2);
    expect(within(drifted).getByText('not repaired: orphans are reported, not deleted')).toBeInTheDocument();
  });

  it('shows the rolling pass in progress: what each record type compared so far, and when the period is at risk', async () => {
    const rollingReport: ReconciliationReportAnswer = {
      ...report,
      repair: true,
      byEntity: {
        person: { ...report.counts, commercetools: 30, inSync: 28, missing_in_crm: 1, stale_in_crm: 1, orphaned_in_crm: 0, repaired: 2 },
        order: { ...report.counts, commercetools: 10, inSync: 9, missing_in_crm: 0, stale_in_crm: 0, orphaned_in_crm: 1, repaired: 0 },
      },
      pass: {
        periodHours: 24,
        slices: 5,
        steppedBack: 1,
        periodAtRisk: true,
        compared: { person: { done: 30, total: 120 }, company: { done: 0, total: 4 }, order: { done: 10, total: 300 } },
        crmListed: 50,
        crmListingDone: false,
      },
    };
    server.use(fakeService({ rollingReport }).handler);
    renderPage('operations');

    const rolling = await screen.findByRole('region', { name: 'Rolling reconciliation in progress' });
    expect(within(rolling).getByText(/every 24 hours: 5 slices so far, 1 left to live changes\.$/)).toBeInTheDocument();
    expect(within(within(rolling).getByRole('list', { name: 'Compared in this pass' })).getAllByRole('listitem').map((item) => item.textContent)).toEqual([
      'Person: 30 of 120',
      'Company: 0 of 4',
      'Order: 10 of 300',
    ]);
    expect(within(within(rolling).getByRole('list', { name: 'By record type' })).getAllByRole('listitem').map((item) => item.textContent)).toEqual([
      'Person: 30 in commercetools, 28 in sync, 2 drifted, 2 repaired',
      'Order: 10 in commercetools, 9 in sync, 1 drifted, 0 repaired',
    ]);
    expect(within(rolling).getByText('50 CRM records checked for orphans, more to come.')).toBeInTheDocument();
    expect(within(rolling).getByText(/the whole population cannot be compared within 24 hours/)).toBeInTheDocument();
    expect(within(rolling).getByText('Records only in the CRM are reported, not deleted.')).toBeInTheDocument();
  });

  it('says when no reconciliation has run, and speaks German', async () => {
    server.use(fakeService().handler);
    renderPage('operations', { locale: 'de' });
    expect(await screen.findByRole('heading', { name: 'Vorgänge' })).toBeInTheDocument();
    expect(await screen.findByText('Es wurde noch kein Abgleich ausgeführt.')).toBeInTheDocument();
  });
});
