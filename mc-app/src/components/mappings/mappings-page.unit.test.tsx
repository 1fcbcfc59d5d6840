import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { validateMappingConfig } from '../../../../core/src/domain/mapping-config';
import { server } from '../../test/msw-server';
import { fakeService, makeMapping, testCrm, testTarget } from '../../test/fake-service';
import { renderPage } from '../../test/render';

type User = ReturnType<typeof userEvent.setup>;

const ownerSelect = (entity: string, row: number) => screen.getByRole('combobox', { name: `${entity} field ${row} owner` });

/** Picks an option of a uikit SelectInput (react-select: open the menu, click the option). */
async function choose(user: User, combobox: HTMLElement, option: string) {
  await user.click(combobox);
  await user.click(await screen.findByRole('option', { name: option }));
}

async function renderMappings(options: { canManage?: boolean } = {}) {
  const service = fakeService(options);
  server.use(service.handler);
  renderPage('mappings', options);
  await screen.findByRole('heading', { name: 'Person fields' });
  return service;
}

describe('mappings page', () => {
  it('shows each entity’s field mappings with a readable transform summary and the matching rules in order', async () => {
    await renderMappings();
    expect(screen.getByRole('textbox', { name: 'person field 1 source' })).toHaveValue('custom.loyaltyTier');
    expect(screen.getByRole('textbox', { name: 'person field 1 target' })).toHaveValue('Loyalty_Tier__c');
    expect(screen.getByText('lookup (1 value, else "Standard")')).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'order field 1 target' })).toHaveValue('Amount__c');
    expect(screen.getByText('money (major)')).toBeInTheDocument();
    expect(screen.getByText('No extra company fields: the adapter writes its standard fields only.')).toBeInTheDocument();
    const rules = within(screen.getByRole('list', { name: 'Matching rules' })).getAllByRole('listitem');
    expect(rules.map((rule) => rule.textContent)).toEqual([
      expect.stringMatching(/^link/),
      expect.stringMatching(/^externalId/),
      expect.stringMatching(/^email/),
    ]);
  });

  it('saves an edited owner and a reordered matching rule in the document it sends', async () => {
    const user = userEvent.setup();
    const service = await renderMappings();

    await choose(user, ownerSelect('person', 2), 'first-write');
    await user.click(screen.getByRole('button', { name: 'Move email up' }));
    expect(screen.getByText(/\(edited, not saved\)/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Save' }));

    expect(await screen.findByText('Saved as version 4.')).toBeInTheDocument();
    const saved = service.calls.find((c) => c.method === 'PUT')!.body as ReturnType<typeof makeMapping>;
    expect(saved.entities.person.fields[1]).toEqual({ source: 'custom.signupChannel', target: 'LeadSource', transform: [], owner: 'first-write' });
    expect(saved.matching.rules).toEqual(['link', 'email', 'externalId']);
    // The service validated the same document before it was saved.
    expect(service.calls.find((c) => c.path === '/api/mappings/validate')!.body).toEqual(saved);
    await waitFor(() => expect(screen.getByText(/version 4$/)).toBeInTheDocument());
  });

  it('names the connection’s CRM as the service does', async () => {
    await renderMappings();
    expect(screen.getByText(`CRM: ${testCrm.label} · version 3`)).toBeInTheDocument();
  });

  it('checks targets with the rule of the CRM the service names: a Close key in a Salesforce connection is refused at its field, and will not save until it is fixed', async () => {
    const user = userEvent.setup();
    await renderMappings();

    const target = screen.getByRole('textbox', { name: 'person field 1 target' });
    fireEvent.change(target, { target: { value: 'custom.cf_AbC123' } });

    const edited = makeMapping();
    edited.entities.person.fields[0]!.target = 'custom.cf_AbC123';
    // The document itself is well-formed: only the connection's target rule refuses it.
    expect(validateMappingConfig(edited).valid).toBe(true);
    const expected = validateMappingConfig(edited, testTarget);
    expect(expected.valid).toBe(false);
    const [issue] = expected.issues;
    expect(issue).toEqual({ path: ['entities', 'person', 'fields', 0, 'target'], message: testCrm.targetRule.message });

    expect(screen.getByTestId('issues-entities.person.fields.0.target')).toHaveTextContent(issue!.message);
    expect(within(screen.getByRole('list', { name: 'Validation messages' })).getByText(`entities.person.fields.0.target: ${issue!.message}`)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();

    fireEvent.change(target, { target: { value: 'Loyalty_Tier__c' } });
    expect(screen.queryByRole('list', { name: 'Validation messages' })).not.toBeInTheDocument();
    expect(screen.getByText('The mapping is valid.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Add person field' }));
    expect(screen.getByTestId('issues-entities.person.fields.2.target')).toBeInTheDocument();
  });

  it('adds a matching rule at the end and shows the schema’s message for what it still needs', async () => {
    const user = userEvent.setup();
    await renderMappings();

    await choose(user, screen.getByRole('combobox', { name: 'Matching rule to add' }), 'customKey');
    await user.click(screen.getByRole('button', { name: 'Add rule' }));

    const rules = within(screen.getByRole('list', { name: 'Matching rules' })).getAllByRole('listitem');
    expect(rules[3]).toHaveTextContent(/^customKey/);
    expect(screen.getByTestId('issues-matching.customKeys')).toHaveTextContent('the customKey rule needs at least one custom key');
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();
  });

  it('previews the edited mapping on sample records as a field → value table, without saving', async () => {
    const user = userEvent.setup();
    const service = await renderMappings();

    await choose(user, ownerSelect('person', 2), 'first-write');
    await user.type(screen.getByRole('textbox', { name: /^Sample IDs/ }), 'customer-1');
    await user.click(screen.getByRole('button', { name: 'Preview' }));

    const table = within(await screen.findByRole('region', { name: 'Preview of customer-1' })).getByRole('table');
    const rows = within(table)
      .getAllByRole('row')
      .slice(1)
      .map((row) => within(row).getAllByRole('cell').map((cell) => cell.textContent));
    expect(rows).toEqual([
      ['Email', 'ada@example.test'],
      ['LastName', 'Lovelace'],
      ['LeadSource', 'web'],
    ]);
    const request = service.calls.find((c) => c.path === '/api/mappings/preview')!.body as { mapping: ReturnType<typeof makeMapping> };
    expect(request).toMatchObject({ entity: 'person', sampleIds: ['customer-1'] });
    expect(request.mapping.entities.person.fields[1]!.owner).toBe('first-write');
    expect(service.calls.some((c) => c.method === 'PUT')).toBe(false);
  });

  it('rolls back to an earlier version and shows its content', async () => {
    const user = userEvent.setup();
    const service = await renderMappings();
    expect(screen.getByTestId('owner-person-2')).toHaveTextContent('commercetools');

    await user.click(screen.getByRole('button', { name: 'Roll back to v2' }));
    expect(await screen.findByText('Rolled back to version 2; now version 4.')).toBeInTheDocument();
    expect(service.calls.find((c) => c.path === '/api/mappings/rollback')!.body).toEqual({ version: 2 });
    // Version 2 let the CRM own LeadSource.
    await waitFor(() => expect(screen.getByTestId('owner-person-2')).toHaveTextContent('crm'));
    expect(within(screen.getByRole('list', { name: 'Versions' })).getByText(/^v4 .*\(current\)$/)).toBeInTheDocument();
  });

  it('keeps unparseable JSON out of the document and applies JSON that parses', async () => {
    await renderMappings();
    const json = screen.getByRole('textbox', { name: 'Mapping configuration (JSON)' });
    fireEvent.change(json, { target: { value: '{ "schemaVersion": ' } });
    expect(screen.getByText(/^Not valid JSON/)).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'person field 1 source' })).toHaveValue('custom.loyaltyTier');

    const edited = makeMapping();
    edited.entities.person.fields[0]!.source = 'custom.tier';
    fireEvent.change(json, { target: { value: JSON.stringify(edited) } });
    expect(screen.getByRole('textbox', { name: 'person field 1 source' })).toHaveValue('custom.tier');
  });

  it('is read-only for a user without the Manage permission, who may still preview', async () => {
    const user = userEvent.setup();
    const service = await renderMappings({ canManage: false });

    expect(screen.getByRole('textbox', { name: 'person field 1 source' })).toHaveAttribute('readonly');
    expect(screen.getByRole('textbox', { name: 'Mapping configuration (JSON)' })).toHaveAttribute('readonly');
    await user.click(ownerSelect('person', 1));
    expect(screen.queryByRole('option', { name: 'first-write' })).not.toBeInTheDocument();
    for (const name of [/^Save$/, /Roll back/, /^Add /, /^Remove /, /^Move /]) {
      expect(screen.queryByRole('button', { name })).not.toBeInTheDocument();
    }
    expect(screen.getByText(/changing it needs the Manage permission/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Preview' }));
    expect(await screen.findByRole('region', { name: 'Preview of customer-1' })).toBeInTheDocument();
    expect(service.calls.map((c) => c.method)).not.toContain('PUT');
  });
});
