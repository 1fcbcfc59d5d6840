import { Fragment, useEffect, useMemo, useState } from 'react';
import { useIsAuthorized } from '@commercetools-frontend/permissions';
import Card from '@commercetools-uikit/card';
import FlatButton from '@commercetools-uikit/flat-button';
import LoadingSpinner from '@commercetools-uikit/loading-spinner';
import MultilineTextInput from '@commercetools-uikit/multiline-text-input';
import { ContentNotification } from '@commercetools-uikit/notifications';
import PrimaryButton from '@commercetools-uikit/primary-button';
import SecondaryButton from '@commercetools-uikit/secondary-button';
import Spacings from '@commercetools-uikit/spacings';
import Text from '@commercetools-uikit/text';
import TextInput from '@commercetools-uikit/text-input';
import { useServiceCall, useServiceQuery } from '../../api/hooks';
import {
  mappingConfigSchema,
  mappingsSchema,
  previewSchema,
  validationSchema,
  versionSchema,
  type MappingConfig,
  type PreviewAnswer,
  type ValidationAnswer,
} from '../../api/schemas';
import { PERMISSIONS } from '../../constants';
import { formatDateTime } from '../shared/format';
import { PageError } from '../shared/page-error';

/**
 * Field mappings, ownership and matching rules per CRM, edited as the JSON
 * document the service stores. Validation messages come from the service's
 * `/api/mappings/validate`, which runs the back end's own zod schema
 * (core/src/domain/mapping-config.ts) — so the page and the back end can never
 * disagree about what is valid.
 */
type Parsed = { config: MappingConfig; error?: undefined } | { config?: undefined; error: string };

function parse(text: string): Parsed {
  try {
    const value: unknown = JSON.parse(text);
    const result = mappingConfigSchema.safeParse(value);
    return result.success ? { config: result.data } : { error: 'The mapping must be a JSON object.' };
  } catch (caught) {
    return { error: `Not valid JSON: ${caught instanceof Error ? caught.message : String(caught)}` };
  }
}

const pathText = (path: ValidationAnswer['issues'][number]['path']) =>
  Array.isArray(path) ? path.join('.') : path;

export function MappingsPage() {
  const canManage = useIsAuthorized({ demandedPermissions: [PERMISSIONS.Manage] });
  const { data, error, loading, refetch } = useServiceQuery('/api/mappings', mappingsSchema);
  const call = useServiceCall();
  const [text, setText] = useState('');
  const [validation, setValidation] = useState<ValidationAnswer | undefined>(undefined);
  const [preview, setPreview] = useState<PreviewAnswer | undefined>(undefined);
  const [entity, setEntity] = useState('person');
  const [sampleIds, setSampleIds] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string } | undefined>(undefined);

  useEffect(() => {
    if (data) setText(JSON.stringify(data.current, null, 2));
  }, [data]);
  const parsed = useMemo(() => parse(text), [text]);
  const dirty = data !== undefined && text !== JSON.stringify(data.current, null, 2);
  const sections = parsed.config ? Object.keys(parsed.config) : [];

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setMessage(undefined);
    try {
      await action();
    } catch (caught) {
      setMessage({ tone: 'error', text: caught instanceof Error ? caught.message : String(caught) });
    } finally {
      setBusy(false);
    }
  };
  const validate = () =>
    run(async () => {
      if (!parsed.config) return;
      setValidation(await call('POST', '/api/mappings/validate', validationSchema, parsed.config));
    });
  const runPreview = () =>
    run(async () => {
      if (!parsed.config) return;
      const ids = sampleIds
        .split(/[\s,]+/)
        .map((id) => id.trim())
        .filter(Boolean);
      setPreview(
        await call('POST', '/api/mappings/preview', previewSchema, {
          mapping: parsed.config,
          entity,
          ...(ids.length > 0 ? { sampleIds: ids } : {}),
        })
      );
    });
  const save = () =>
    run(async () => {
      if (!parsed.config) return;
      const check = await call('POST', '/api/mappings/validate', validationSchema, parsed.config);
      setValidation(check);
      if (!check.valid) {
        setMessage({ tone: 'error', text: 'Not saved: fix the validation messages first.' });
        return;
      }
      const answer = await call('PUT', '/api/mappings', versionSchema, parsed.config);
      setMessage({ tone: 'success', text: `Saved as version ${answer.version}.` });
      await refetch();
    });
  const rollback = (version: number) =>
    run(async () => {
      const answer = await call('POST', '/api/mappings/rollback', versionSchema, { version });
      setMessage({ tone: 'success', text: `Rolled back to version ${version}; now version ${answer.version}.` });
      setValidation(undefined);
      await refetch();
    });

  return (
    <Spacings.Stack scale="l">
      <Text.Headline as="h1">Mappings</Text.Headline>
      {error ? <PageError error={error} /> : null}
      {loading && !data ? <LoadingSpinner>Loading mappings</LoadingSpinner> : null}
      {message ? (
        <div role="status">
          <ContentNotification type={message.tone}>{message.text}</ContentNotification>
        </div>
      ) : null}
      {data ? (
        <Fragment>
          <Text.Detail>{`Current version: ${data.version}${dirty ? ' (edited, not saved)' : ''}`}</Text.Detail>
          {sections.length > 0 ? <Text.Detail tone="secondary">{`Sections: ${sections.join(', ')}`}</Text.Detail> : null}
          <Card insetScale="m">
            <Spacings.Stack scale="s">
              <Text.Subheadline as="h4">Field mappings, ownership and matching rules</Text.Subheadline>
              <label htmlFor="mapping-editor">
                <Text.Detail isBold>Mapping configuration</Text.Detail>
              </label>
              <MultilineTextInput
                id="mapping-editor"
                name="mapping"
                value={text}
                isReadOnly={!canManage}
                hasError={Boolean(parsed.error) || validation?.valid === false}
                onChange={(event) => {
                  setText(event.target.value ?? '');
                  setValidation(undefined);
                  setPreview(undefined);
                }}
                defaultExpandMultilineText
              />
              {parsed.error ? <Text.Detail tone="critical">{parsed.error}</Text.Detail> : null}
              {validation ? (
                validation.valid ? (
                  <Text.Detail tone="positive">The mapping is valid.</Text.Detail>
                ) : (
                  <ul aria-label="Validation messages" style={{ margin: 0, paddingLeft: 16 }}>
                    {validation.issues.map((issue, index) => (
                      <li key={index}>
                        <Text.Detail tone="critical">{`${pathText(issue.path) || '(root)'}: ${issue.message}`}</Text.Detail>
                      </li>
                    ))}
                  </ul>
                )
              ) : null}
              <Spacings.Inline scale="m">
                <SecondaryButton label="Validate" onClick={() => void validate()} isDisabled={busy || !parsed.config} />
                {canManage ? (
                  <PrimaryButton label="Save" onClick={() => void save()} isDisabled={busy || !parsed.config || !dirty} />
                ) : null}
              </Spacings.Inline>
            </Spacings.Stack>
          </Card>
          <Card insetScale="m">
            <Spacings.Stack scale="s">
              <Text.Subheadline as="h4">Preview on sample records</Text.Subheadline>
              <Spacings.Inline scale="m" alignItems="flex-end">
                <label>
                  <Text.Detail isBold>Entity</Text.Detail>
                  <TextInput name="preview-entity" aria-label="Preview entity" value={entity} onChange={(e) => setEntity(e.target.value)} horizontalConstraint={5} />
                </label>
                <label>
                  <Text.Detail isBold>Sample IDs (optional)</Text.Detail>
                  <TextInput name="sample-ids" aria-label="Sample IDs" value={sampleIds} onChange={(e) => setSampleIds(e.target.value)} horizontalConstraint={10} />
                </label>
                <SecondaryButton label="Preview" onClick={() => void runPreview()} isDisabled={busy || !parsed.config} />
              </Spacings.Inline>
              {preview ? (
                preview.samples.length === 0 ? (
                  <Text.Detail>No sample records found.</Text.Detail>
                ) : (
                  <table aria-label="Preview" style={{ borderCollapse: 'collapse', fontSize: 12 }}>
                    <thead>
                      <tr>
                        <th style={{ textAlign: 'left', padding: 4 }}>Record</th>
                        <th style={{ textAlign: 'left', padding: 4 }}>Would write</th>
                      </tr>
                    </thead>
                    <tbody>
                      {preview.samples.map((sample) => (
                        <tr key={sample.sourceId} style={{ borderTop: '1px solid #ddd' }}>
                          <td style={{ padding: 4, verticalAlign: 'top' }}>{sample.sourceId}</td>
                          <td style={{ padding: 4 }}>
                            <pre style={{ margin: 0 }}>{JSON.stringify(sample.fields, null, 2)}</pre>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )
              ) : null}
            </Spacings.Stack>
          </Card>
          <Card insetScale="m">
            <Spacings.Stack scale="s">
              <Text.Subheadline as="h4">Versions</Text.Subheadline>
              <ul aria-label="Versions" style={{ margin: 0, paddingLeft: 16 }}>
                {[...data.history]
                  .sort((a, b) => b.version - a.version)
                  .map((entry) => (
                    <li key={entry.version}>
                      <Spacings.Inline scale="m" alignItems="center">
                        <Text.Detail>{`v${entry.version} · ${formatDateTime(entry.savedAt)}${entry.savedBy ? ` · ${entry.savedBy}` : ''}${
                          entry.version === data.version ? ' (current)' : ''
                        }`}</Text.Detail>
                        {canManage && entry.version !== data.version ? (
                          <FlatButton label={`Roll back to v${entry.version}`} onClick={() => void rollback(entry.version)} isDisabled={busy} />
                        ) : null}
                      </Spacings.Inline>
                    </li>
                  ))}
              </ul>
            </Spacings.Stack>
          </Card>
        </Fragment>
      ) : null}
    </Spacings.Stack>
  );
}
