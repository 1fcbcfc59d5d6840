import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
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

describe('failure detail', () => {
  it("shows the CRM's message, the payload sent, the correlation ID and the attempts", async () => {
    server.use(fakeService({ failures: [failure] }).handler);
    renderPage('failures/f1');

    expect(await screen.findByRole('heading', { name: 'person customer-ada' })).toBeInTheDocument();
    expect(screen.getAllByText('REQUIRED_FIELD_MISSING: LastName')[0]).toBeInTheDocument();
    expect(screen.getByTestId('correlation-id')).toHaveTextContent('corr-f1');
    expect(screen.getByLabelText('Payload')).toHaveTextContent('"Email": "ada@example.test"');
    expect(screen.getByText('LastName: required')).toBeInTheDocument();
    const attempts = within(screen.getByRole('list', { name: 'Attempts' })).getAllByRole('listitem');
    expect(attempts).toHaveLength(2);
    expect(attempts[0]).toHaveTextContent('2026-11-24 10:05:00 UTC — Validation (400): REQUIRED_FIELD_MISSING: LastName · corr-2');
    expect(attempts[1]).toHaveTextContent('Throttled (403): REQUEST_LIMIT_EXCEEDED');
  });

  it('replays the record and shows it resolved', async () => {
    const user = userEvent.setup();
    const service = fakeService({ failures: [failure] });
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
    server.use(fakeService({ failures: [failure], replayResolves: false }).handler);
    renderPage('failures/f1');

    await user.click(await screen.findByRole('button', { name: 'Replay' }));
    expect(await screen.findByText('Replay failed again: REQUIRED_FIELD_MISSING: LastName')).toBeInTheDocument();
  });

  it('hides replay and dismiss without Manage, and shows the refusal if the service is asked anyway', async () => {
    server.use(fakeService({ failures: [failure], canManage: false }).handler);
    renderPage('failures/f1', { canManage: false });

    await screen.findByRole('heading', { name: 'person customer-ada' });
    expect(screen.queryByRole('button', { name: 'Replay' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Dismiss' })).not.toBeInTheDocument();
  });
});
