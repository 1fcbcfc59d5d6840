import { Fragment, useEffect, useMemo, useState } from 'react';
import { useIsAuthorized } from '@commercetools-frontend/permissions';
import Card from '@commercetools-uikit/card';
import LoadingSpinner from '@commercetools-uikit/loading-spinner';
import { ContentNotification } from '@commercetools-uikit/notifications';
import PrimaryButton from '@commercetools-uikit/primary-button';
import SecondaryButton from '@commercetools-uikit/secondary-button';
import Spacings from '@commercetools-uikit/spacings';
import Text from '@commercetools-uikit/text';
import { useServiceCall, useServiceQuery } from '../../api/hooks';
import { serviceApi, type MappingPreviewAnswer, type MappingValidationAnswer } from '../../../../core/src/api/contract';
import { PERMISSIONS } from '../../constants';
import { PageError } from '../shared/page-error';
import { AdvancedJsonEditor } from './advanced-json-editor';
import { FieldMappingsTable } from './field-mappings-table';
import { mappedEntities, fieldsOf, matchingOf, pathKey, validateDraft, withFields, withMatching, type MappingDraft } from './mapping-draft';
import { MappingPreview, type PreviewRequest } from './mapping-preview';
import { MappingVersions } from './mapping-versions';
import { MatchingRulesEditor } from './matching-rules-editor';

type Message = { tone: 'success' | 'error'; text: string };
type Issue = { path: string; message: string };

const issueLine = (issue: Issue) => `${issue.path || '(root)'}: ${issue.message}`;
const serviceIssues = (answer: MappingValidationAnswer): Issue[] =>
  answer.issues.map((issue) => ({ path: pathKey(issue.path), message: issue.message }));

/**
 * Field mappings, ownership and matching rules of this connection's CRM.
 * Every edit is checked with the back end's own schema (`mappingConfigSchema`
 * in core/src/domain/mapping-config.ts, imported, not copied) against the CRM
 * the service names (its target rule), and each message is shown next to the
 * input its path names; saving asks the service to validate once more, so a
 * stale app can never save what the service refuses.
 */
export function MappingsPage() {
  const canManage = useIsAuthorized({ demandedPermissions: [PERMISSIONS.Manage] });
  const { data, error, loading, refetch } = useServiceQuery(serviceApi.mappings.get, {});
  const call = useServiceCall();
  const [draft, setDraft] = useState<MappingDraft | undefined>(undefined);
  const [refused, setRefused] = useState<Issue[]>([]);
  const [preview, setPreview] = useState<MappingPreviewAnswer | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message | undefined>(undefined);

  useEffect(() => {
    if (data) setDraft(data.current);
  }, [data]);
  const validation = useMemo(
    () => (draft && data ? validateDraft(draft, { crm: data.crm.name, targetRule: data.crm.targetRule }) : undefined),
    [draft, data]
  );
  const dirty = data !== undefined && JSON.stringify(draft) !== JSON.stringify(data.current);
  const valid = validation !== undefined && validation.issues.length === 0;

  const edit = (next: MappingDraft) => {
    setDraft(next);
    setRefused([]);
    setPreview(undefined);
  };
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
  const runPreview = (mapping: MappingDraft, request: PreviewRequest) =>
    run(async () => {
      setPreview(await call(serviceApi.mappings.preview, { body: { mapping, ...request } }));
    });
  const save = (mapping: MappingDraft) =>
    run(async () => {
      const check = await call(serviceApi.mappings.validate, { body: mapping });
      if (!check.valid) {
        setRefused(serviceIssues(check));
        setMessage({ tone: 'error', text: 'Not saved: the service found problems (listed above).' });
        return;
      }
      const answer = await call(serviceApi.mappings.save, { body: mapping });
      setMessage({ tone: 'success', text: `Saved as version ${answer.version}.` });
      await refetch();
    });
  const rollback = (version: number) =>
    run(async () => {
      const answer = await call(serviceApi.mappings.rollback, { body: { version } });
      setMessage({ tone: 'success', text: `Rolled back to version ${version}; now version ${answer.version}.` });
      await refetch();
    });

  const issues: Issue[] = [...(validation?.issues.map((issue) => ({ path: pathKey(issue.path), message: issue.message })) ?? []), ...refused];
  const matching = draft ? matchingOf(draft) : undefined;

  return (
    <Spacings.Stack scale="l">
      <Text.Headline as="h1">Mappings</Text.Headline>
      {error ? <PageError error={error} /> : null}
      {loading && !data ? <LoadingSpinner>Loading mappings</LoadingSpinner> : null}
      {data && draft && validation && matching ? (
        <Fragment>
          <Spacings.Inline scale="m" alignItems="center">
            <Text.Detail>{`CRM: ${data.crm.label} · version ${data.version}${dirty ? ' (edited, not saved)' : ''}`}</Text.Detail>
            {canManage ? (
              <Fragment>
                <PrimaryButton label="Save" onClick={() => void save(draft)} isDisabled={busy || !dirty || !valid} />
                <SecondaryButton label="Discard changes" onClick={() => edit(data.current)} isDisabled={busy || !dirty} />
              </Fragment>
            ) : (
              <Text.Detail tone="secondary">You can look at the mapping and preview it; changing it needs the Manage permission.</Text.Detail>
            )}
          </Spacings.Inline>
          {message ? (
            <div role="status">
              <ContentNotification type={message.tone}>{message.text}</ContentNotification>
            </div>
          ) : null}
          {issues.length > 0 ? (
            <ContentNotification type="error">
              <ul aria-label="Validation messages" style={{ margin: 0, paddingLeft: 16 }}>
                {issues.map((issue) => (
                  <li key={issueLine(issue)}>
                    <Text.Detail>{issueLine(issue)}</Text.Detail>
                  </li>
                ))}
              </ul>
            </ContentNotification>
          ) : (
            <Text.Detail tone="positive">The mapping is valid.</Text.Detail>
          )}

          {mappedEntities.map((entity) => (
            <Card key={entity} insetScale="m">
              <Spacings.Stack scale="s">
                <Text.Subheadline as="h4">{`${entity[0]!.toUpperCase()}${entity.slice(1)} fields`}</Text.Subheadline>
                <FieldMappingsTable
                  entity={entity}
                  fields={fieldsOf(draft, entity)}
                  issues={validation.byPath}
                  canManage={canManage}
                  onChange={(fields) => edit(withFields(draft, entity, fields))}
                />
              </Spacings.Stack>
            </Card>
          ))}

          <Card insetScale="m">
            <Spacings.Stack scale="s">
              <Text.Subheadline as="h4">Matching</Text.Subheadline>
              <MatchingRulesEditor
                rules={matching.rules}
                guests={matching.guests}
                issues={validation.byPath}
                canManage={canManage}
                onChange={(change) => edit(withMatching(draft, change))}
              />
            </Spacings.Stack>
          </Card>

          <Card insetScale="m">
            <Spacings.Stack scale="s">
              <Text.Subheadline as="h4">Preview on sample records</Text.Subheadline>
              <MappingPreview isDisabled={busy || !valid} answer={preview} onPreview={(request) => void runPreview(draft, request)} />
            </Spacings.Stack>
          </Card>

          <Card insetScale="m">
            <Spacings.Stack scale="s">
              <Text.Subheadline as="h4">Advanced (JSON): consent, segmentation, validation, locale</Text.Subheadline>
              <AdvancedJsonEditor draft={draft} canManage={canManage} onChange={edit} />
            </Spacings.Stack>
          </Card>

          <Card insetScale="m">
            <Spacings.Stack scale="s">
              <Text.Subheadline as="h4">Versions</Text.Subheadline>
              <MappingVersions
                history={data.history}
                current={data.version}
                canManage={canManage}
                isDisabled={busy}
                onRollback={(version) => void rollback(version)}
              />
            </Spacings.Stack>
          </Card>
        </Fragment>
      ) : null}
    </Spacings.Stack>
  );
}
