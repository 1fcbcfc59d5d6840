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
    expect(screen.getByText('No extra company fields: the connector writes its standard fields only.')).toBeInTheDocument();
    const rules = within(screen.getByRole('list', { name: 'Matching rules' })).getAllByRole('listitem');
    expect(rules.map((rule) => rule.textContent)).toEqual([
      expect.stringMatching(/^link/),
      expect.stringMatching(/^externalId/),
      expect.stringMatching(/^email/),
    ]);
  });

  it('says which way each field travels, by its owner, and follows an edited owner', async () => {
    const user = userEvent.setup();
    await renderMappings();
    expect(screen.getByTestId('direction-person-2')).toHaveTextContent('commercetools → Salesforce: a change in Salesforce is restored');
    await choose(user, ownerSelect('person', 2), 'crm');
    expect(screen.getByTestId('direction-person-2')).toHaveTextContent('Salesforce → commercetools: never written to Salesforce');
    await choose(user, ownerSelect('person', 2), 'first-write');
    expect(screen.getByTestId('direction-person-2')).toHaveTextContent('commercetools → Salesforce once, while it is empty');
  });

  it('saves an edited owner and a reordered matching rule in the document it sends', async () => {
    const user = userEvent.setup();
    const service = await renderMappings();

    await choose(user, ownerSelect('person', 2), 'first-write');
    await user.click(screen.getByRole('button', { name: 'Move email up' }));
    expect(screen.getByText(/\(edited, not saved\)/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Save' }));
    // Saving changes the live sync: the dialog says what changes before anything is sent.
    const dialog = await screen.findByRole('dialog', { name: 'Save as version 4?' });
    const changes = within(within(dialog).getByRole('list', { name: 'What changes' })).getAllByRole('listitem');
    expect(changes.map((c) => c.textContent)).toEqual([
      'Person: LeadSource changes (owner commercetools → first-write)',
      'Matching rules: link → email → externalId (was link → externalId → email)',
    ]);
    expect(service.calls.some((c) => c.method === 'PUT')).toBe(false);
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));

    expect(await screen.findByText('Saved as version 4.')).toBeInTheDocument();
    const saved = service.calls.find((c) => c.method === 'PUT')!.body as ReturnType<typeof makeMapping>;
    expect(saved.entities.person.fields[1]).toEqual({ source: 'custom.signupChannel', target: 'LeadSource', transform: [], owner: 'first-write' });
    expect(saved.matching.rules).toEqual(['link', 'email', 'externalId']);
    // The service validated the same document before it was saved.
    expect(service.calls.find((c) => c.path === '/api/mappings/validate')!.body).toEqual(saved);
    await waitFor(() => expect(screen.getByText(/version 4$/)).toBeInTheDocument());
    // The version names who saved it, by the name the user is shown by.
    expect(service.calls.find((c) => c.method === 'PUT')!.headers.get('x-forward-header-x-crm-sync-user-name')).toBe('Sheldon%20Cooper');
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
    // The banner names the place as the row is labelled (1-based), not the document's 0-based path.
    expect(within(screen.getByRole('list', { name: 'Validation messages' })).getByText(`Person field 1, CRM field: ${issue!.message}`)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();

    fireEvent.change(target, { target: { value: 'Loyalty_Tier__c' } });
    expect(screen.queryByRole('list', { name: 'Validation messages' })).not.toBeInTheDocument();
    expect(screen.getByText('The mapping is valid.')).toBeInTheDocument();
    // A new row asks for what it needs, once per input, in words.
    await user.click(screen.getByRole('button', { name: 'Add person field' }));
    expect(screen.getByTestId('issues-entities.person.fields.2.source')).toHaveTextContent(
      /^Enter the commercetools field to read, such as email or custom\.loyaltyTier\.$/
    );
    expect(screen.getByTestId('issues-entities.person.fields.2.target')).toHaveTextContent(/^Enter the Salesforce field to write\.$/);
    expect(screen.getByText('Person field 3, commercetools source: Enter the commercetools field to read, such as email or custom.loyaltyTier.')).toBeInTheDocument();
  });

  it('adds a matching rule at the end and shows the schema’s message for what it still needs', async () => {
    const user = userEvent.setup();
    await renderMappings();

    await choose(user, screen.getByRole('combobox', { name: 'Matching rule to add' }), 'customKey');
    await user.click(screen.getByRole('button', { name: 'Add rule' }));

    const rules = within(screen.getByRole('list', { name: 'Matching rules' })).getAllByRole('listitem');
    expect(rules[3]).toHaveTextContent(/^customKey/);
    expect(screen.getByTestId('issues-matching.customKeys')).toHaveTextContent('The customKey rule needs at least one custom key');
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
    // Rolling back changes the live sync at once: it asks first, and says what changes.
    const dialog = await screen.findByRole('dialog', { name: 'Roll back to version 2?' });
    expect(dialog).toHaveTextContent('Version 2’s mapping becomes live as version 4, in place of version 3');
    expect(within(dialog).getByRole('list', { name: 'What changes' })).toHaveTextContent('Person: LeadSource changes (owner commercetools → crm)');
    expect(service.calls.some((c) => c.path === '/api/mappings/rollback')).toBe(false);
    await user.click(within(dialog).getByRole('button', { name: 'Roll back' }));
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
    expect(screen.getByTestId('issues-')).toHaveTextContent('Write the mapping as one JSON object. Nothing is saved until it reads as one.');
    expect(screen.getByRole('textbox', { name: 'person field 1 source' })).toHaveValue('custom.loyaltyTier');
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();

    const edited = makeMapping();
    edited.entities.person.fields[0]!.source = 'custom.tier';
    fireEvent.change(json, { target: { value: JSON.stringify(edited) } });
    expect(screen.getByRole('textbox', { name: 'person field 1 source' })).toHaveValue('custom.tier');
  });

  it('refuses to save transforms it cannot read, says why at the field, and saves exactly the transforms typed once they read', async () => {
    const user = userEvent.setup();
    const service = await renderMappings();
    const transforms = screen.getByRole('textbox', { name: 'person field 2 transforms' });
    const atField = () => screen.getByTestId('issues-entities.person.fields.1.transform');
    const banner = () => within(screen.getByRole('list', { name: 'Validation messages' }));

    // Not JSON: the document keeps its old transforms, so Save must not store them as if they were what the screen shows.
    fireEvent.change(transforms, { target: { value: 'upper' } });
    expect(atField()).toHaveTextContent('Write transforms as a list, for example [{"type": "normalise", "as": "upper"}]. Nothing is saved until it reads as one.');
    expect(banner().getByText(/^Person field 2, transforms: Write transforms as a list/)).toBeInTheDocument();
    expect(screen.queryByText('The mapping is valid.')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();

    // A wrong value, a wrong transform, a setting the transform does not have: each at the field, in words.
    fireEvent.change(transforms, { target: { value: '[{"type":"normalise","as":"uper"}]' } });
    expect(atField()).toHaveTextContent('Choose one of: email, phone, trim, upper, lower, country.');
    expect(banner().getByText('Person field 2, transform 1: Choose one of: email, phone, trim, upper, lower, country.')).toBeInTheDocument();
    fireEvent.change(transforms, { target: { value: '[{"type":"upper"}]' } });
    expect(atField()).toHaveTextContent('“upper” is not a transform. Use one of: normalise, format, lookup, locale, money, date, join, not.');
    fireEvent.change(transforms, { target: { value: '[{"type":"normalise","as":"upper","when":"always"}]' } });
    expect(atField()).toHaveTextContent('Not a setting here: when. Remove it, or it would not be saved.');
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();

    fireEvent.change(transforms, { target: { value: '[{"type":"normalise","as":"upper"}]' } });
    expect(screen.getByText('The mapping is valid.')).toBeInTheDocument();
    expect(screen.getByText('normalise (upper)')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await user.click(within(await screen.findByRole('dialog', { name: 'Save as version 4?' })).getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Saved as version 4.')).toBeInTheDocument();
    const saved = service.calls.find((c) => c.method === 'PUT')!.body as ReturnType<typeof makeMapping>;
    expect(saved.entities.person.fields[1]!.transform).toEqual([{ type: 'normalise', as: 'upper' }]);
  });

  it('speaks German to a German user, problems included', async () => {
    const service = fakeService();
    server.use(service.handler);
    renderPage('mappings', { locale: 'de' });
    await screen.findByRole('heading', { name: 'Felder: Person' });
    const target = screen.getByRole('textbox', { name: 'Personenfeld 1 Ziel' });
    fireEvent.change(target, { target: { value: '' } });
    expect(screen.getByTestId('issues-entities.person.fields.0.target')).toHaveTextContent('Geben Sie das Salesforce-Feld an, das geschrieben wird.');
    expect(screen.getByText('Person, Feld 1, CRM-Feld: Geben Sie das Salesforce-Feld an, das geschrieben wird.')).toBeInTheDocument();
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
