import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { server } from '../../test/msw-server';
import { fakeService } from '../../test/fake-service';
import { renderPage } from '../../test/render';

const editor = () => screen.getByRole('textbox', { name: 'Mapping configuration' });
const setEditor = (value: string) => fireEvent.change(editor(), { target: { value } });

describe('mappings page', () => {
  it('shows the validation messages the back end returns for an edited mapping', async () => {
    const user = userEvent.setup();
    const service = fakeService();
    server.use(service.handler);
    renderPage('mappings');

    await waitFor(() => expect((editor() as HTMLTextAreaElement).value).toContain('"LastName": "lastName"'));
    setEditor(JSON.stringify({ salesforce: { person: { fields: { Email: 'email', LastName: 42 } } } }));
    await user.click(screen.getByRole('button', { name: 'Validate' }));

    const messages = await screen.findByRole('list', { name: 'Validation messages' });
    expect(within(messages).getByText('salesforce.person.fields.LastName: Expected string, received number')).toBeInTheDocument();
  });

  it('flags JSON that does not parse before calling anyone', async () => {
    server.use(fakeService().handler);
    renderPage('mappings');
    await waitFor(() => expect((editor() as HTMLTextAreaElement).value).toContain('salesforce'));
    setEditor('{ "salesforce": ');
    expect(screen.getByText(/Not valid JSON/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Validate' })).toBeDisabled();
  });

  it('previews the mapping on sample records before saving, then saves a new version', async () => {
    const user = userEvent.setup();
    const service = fakeService();
    server.use(service.handler);
    renderPage('mappings');
    await waitFor(() => expect((editor() as HTMLTextAreaElement).value).toContain('salesforce'));

    const edited = { salesforce: { person: { fields: { Email: 'email', LastName: 'lastName', FirstName: 'firstName' } } } };
    setEditor(JSON.stringify(edited));
    await user.type(screen.getByRole('textbox', { name: /Sample IDs/ }), 'customer-1');
    await user.click(screen.getByRole('button', { name: 'Preview' }));
    const preview = await screen.findByRole('table', { name: 'Preview' });
    expect(within(preview).getByText('customer-1')).toBeInTheDocument();
    expect(preview).toHaveTextContent('"LastName": "Lovelace"');
    expect(service.calls.find((c) => c.path === '/api/mappings/preview')!.body).toEqual({
      mapping: edited,
      entity: 'person',
      sampleIds: ['customer-1'],
    });
    expect(service.calls.some((c) => c.method === 'PUT')).toBe(false);

    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Saved as version 4.')).toBeInTheDocument();
    expect(service.calls.find((c) => c.method === 'PUT')!.body).toEqual(edited);
  });

  it('rolls back to an earlier version', async () => {
    const user = userEvent.setup();
    const service = fakeService();
    server.use(service.handler);
    renderPage('mappings');

    await user.click(await screen.findByRole('button', { name: 'Roll back to v2' }));
    expect(await screen.findByText('Rolled back to version 2; now version 4.')).toBeInTheDocument();
    expect(service.calls.find((c) => c.path === '/api/mappings/rollback')!.body).toEqual({ version: 2 });
  });

  it('is read-only without the Manage permission', async () => {
    server.use(fakeService({ canManage: false }).handler);
    renderPage('mappings', { canManage: false });
    await waitFor(() => expect((editor() as HTMLTextAreaElement).value).toContain('salesforce'));
    expect(editor()).toHaveAttribute('readonly');
    expect(screen.queryByRole('button', { name: 'Save' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Roll back/ })).not.toBeInTheDocument();
  });
});
