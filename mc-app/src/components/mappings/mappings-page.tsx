import { Fragment, useCallback, useEffect, useMemo, useState } from 'react';
import { useIntl } from 'react-intl';
import { useIsAuthorized } from '@commercetools-frontend/permissions';
import { ConfirmationDialog } from '@commercetools-frontend/application-components';
import Card from '@commercetools-uikit/card';
import LoadingSpinner from '@commercetools-uikit/loading-spinner';
import { ContentNotification } from '@commercetools-uikit/notifications';
import PrimaryButton from '@commercetools-uikit/primary-button';
import SecondaryButton from '@commercetools-uikit/secondary-button';
import Spacings from '@commercetools-uikit/spacings';
import Text from '@commercetools-uikit/text';
import { useServiceCall, useServiceQuery } from '../../api/hooks';
import { serviceApi, type MappingPreviewAnswer } from '../../../../core/src/api/contract';
import { mappingConfigSchema, type MappingConfig } from '../../../../core/src/domain/mapping-config';
import { PERMISSIONS } from '../../constants';
import { entityMessages } from '../shared/messages';
import { PageError } from '../shared/page-error';
import { AdvancedJsonEditor } from './advanced-json-editor';
import { draftIssues, pathKey, type DraftIssue } from './draft-issues';
import { FieldMappingsTable } from './field-mappings-table';
import { issueText, placeText } from './issue-words';
import { describeChanges } from './mapping-changes';
import { mappedEntities, fieldsOf, matchingOf, withFields, withMatching, type MappingDraft } from './mapping-draft';
import { MappingPreview, type PreviewRequest } from './mapping-preview';
import { MappingVersions } from './mapping-versions';
import { MatchingRulesEditor } from './matching-rules-editor';
import { changeMessages, mappingsMessages } from './messages';

type Message = { tone: 'success' | 'error'; text: string };
/** A live change waiting for the user's confirmation, with what it changes. */
type Pending = { kind: 'save'; version: number; changes: string[]; mapping: MappingDraft } | { kind: 'rollback'; from: number; version: number; changes: string[] };

/**
 * Field mappings, ownership and matching rules of this connection's CRM.
 * Every edit is checked with the back end's own schema (`mappingConfigSchema`
 * in core/src/domain/mapping-config.ts, imported, not copied) against the CRM
 * the service names (its target rule); each problem shows at the input its
 * path names, in the merchandiser's words, and text that does not read as
 * what its box holds counts as a problem too, so Save stores exactly what the
 * screen shows or nothing. Saving and rolling back change the live sync: both
 * say what changes and ask first; saving asks the service to validate once
 * more, so a stale app can never save what the service refuses.
 */
export function MappingsPage() {
  const intl = useIntl();
  const canManage = useIsAuthorized({ demandedPermissions: [PERMISSIONS.Manage] });
  const { data, error, loading, refetch } = useServiceQuery(serviceApi.mappings.get, {});
  const call = useServiceCall();
  const [draft, setDraft] = useState<MappingDraft | undefined>(undefined);
  const [refused, setRefused] = useState<DraftIssue[]>([]);
  const [unreadable, setUnreadable] = useState<ReadonlySet<string>>(new Set());
  const [preview, setPreview] = useState<MappingPreviewAnswer | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message | undefined>(undefined);
  const [pending, setPending] = useState<Pending | undefined>(undefined);

  useEffect(() => {
    if (data) setDraft(data.current);
  }, [data]);
  const crmLabel = data?.crm.label ?? '';
  const markUnreadable = useCallback(
    (key: string, isUnreadable: boolean) =>
      setUnreadable((previous) => {
        if (previous.has(key) === isUnreadable) return previous;
        const next = new Set(previous);
        if (isUnreadable) next.add(key);
        else next.delete(key);
        return next;
      }),
    []
  );
  const onUnreadableTransforms = useCallback((path: (string | number)[], is: boolean) => markUnreadable(pathKey(path), is), [markUnreadable]);
  const onUnreadableDocument = useCallback((is: boolean) => markUnreadable('', is), [markUnreadable]);

  const issues = useMemo((): DraftIssue[] => {
    if (!draft || !data) return [];
    const typed = [...unreadable].map((key): DraftIssue => (key === '' ? { path: [], kind: 'documentText' } : { path: key.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)), kind: 'transformText' }));
    return [...typed, ...draftIssues(draft, { crm: data.crm.name, targetRule: data.crm.targetRule }), ...refused];
  }, [draft, data, unreadable, refused]);
  const byPath = useMemo(() => {
    const map = new Map<string, string[]>();
    for (const issue of issues) map.set(pathKey(issue.path), [...(map.get(pathKey(issue.path)) ?? []), issueText(intl, issue, crmLabel)]);
    return map;
  }, [issues, intl, crmLabel]);
  const dirty = data !== undefined && JSON.stringify(draft) !== JSON.stringify(data.current);
  const valid = issues.length === 0;
  const nextVersion = data ? Math.max(data.version, ...data.history.map((h) => h.version)) + 1 : 1;

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
  const askToSave = (mapping: MappingDraft, live: MappingConfig) =>
    setPending({ kind: 'save', version: nextVersion, mapping, changes: describeChanges(intl, live, mappingConfigSchema.parse(mapping)) });
  const askToRollBack = (from: number, live: MappingConfig) =>
    run(async () => {
      const { config } = await call(serviceApi.mappings.version, { params: { version: from } });
      setPending({ kind: 'rollback', from, version: nextVersion, changes: describeChanges(intl, live, config) });
    });
  const confirm = (change: Pending) =>
    run(async () => {
      setPending(undefined);
      if (change.kind === 'save') {
        const check = await call(serviceApi.mappings.validate, { body: change.mapping });
        if (!check.valid) {
          setRefused(check.issues.map((issue): DraftIssue => ({ path: issue.path, kind: 'other', message: issue.message })));
          setMessage({ tone: 'error', text: intl.formatMessage(mappingsMessages.refused) });
          return;
        }
        const answer = await call(serviceApi.mappings.save, { body: change.mapping });
        setMessage({ tone: 'success', text: intl.formatMessage(mappingsMessages.saved, { version: answer.version }) });
      } else {
        const answer = await call(serviceApi.mappings.rollback, { body: { version: change.from } });
        setMessage({ tone: 'success', text: intl.formatMessage(mappingsMessages.rolledBack, { from: change.from, version: answer.version }) });
      }
      await refetch();
    });

  const matching = draft ? matchingOf(draft) : undefined;

  return (
    <Spacings.Stack scale="l">
      <Text.Headline as="h1">{intl.formatMessage(mappingsMessages.title)}</Text.Headline>
      {error ? <PageError error={error} /> : null}
      {loading && !data ? <LoadingSpinner>{intl.formatMessage(mappingsMessages.loading)}</LoadingSpinner> : null}
      {data && draft && matching ? (
        <Fragment>
          <Spacings.Inline scale="m" alignItems="center">
            <Text.Detail>
              {`${intl.formatMessage(mappingsMessages.header, { crm: data.crm.label, version: data.version })}${dirty ? ` ${intl.formatMessage(mappingsMessages.edited)}` : ''}`}
            </Text.Detail>
            {canManage ? (
              <Fragment>
                <PrimaryButton label={intl.formatMessage(mappingsMessages.save)} onClick={() => askToSave(draft, data.current)} isDisabled={busy || !dirty || !valid} />
                <SecondaryButton label={intl.formatMessage(mappingsMessages.discard)} onClick={() => edit(data.current)} isDisabled={busy || !dirty} />
              </Fragment>
            ) : (
              <Text.Detail tone="secondary">{intl.formatMessage(mappingsMessages.viewOnly)}</Text.Detail>
            )}
          </Spacings.Inline>
          {message ? (
            <div role="status">
              <ContentNotification type={message.tone}>{message.text}</ContentNotification>
            </div>
          ) : null}
          {issues.length > 0 ? (
            <ContentNotification type="error">
              <Text.Detail>{intl.formatMessage(mappingsMessages.problems, { count: issues.length })}</Text.Detail>
              <ul aria-label={intl.formatMessage(mappingsMessages.problemList)} style={{ margin: 0, paddingLeft: 16 }}>
                {issues.map((issue, index) => (
                  <li key={`${pathKey(issue.path)}-${index}`}>
                    <Text.Detail>
                      {intl.formatMessage(mappingsMessages.problemLine, { where: placeText(intl, issue.path), what: issueText(intl, issue, crmLabel) })}
                    </Text.Detail>
                  </li>
                ))}
              </ul>
            </ContentNotification>
          ) : (
            <Text.Detail tone="positive">{intl.formatMessage(mappingsMessages.valid)}</Text.Detail>
          )}

          {mappedEntities.map((entity) => (
            <Card key={entity} insetScale="m">
              <Spacings.Stack scale="s">
                <Text.Subheadline as="h4">{intl.formatMessage(mappingsMessages.entityFields, { entity: intl.formatMessage(entityMessages[entity]) })}</Text.Subheadline>
                <FieldMappingsTable
                  entity={entity}
                  crm={crmLabel}
                  fields={fieldsOf(draft, entity)}
                  issues={byPath}
                  canManage={canManage}
                  onChange={(fields) => edit(withFields(draft, entity, fields))}
                  onUnreadableTransforms={onUnreadableTransforms}
                />
              </Spacings.Stack>
            </Card>
          ))}

          <Card insetScale="m">
            <Spacings.Stack scale="s">
              <Text.Subheadline as="h4">{intl.formatMessage(mappingsMessages.matching)}</Text.Subheadline>
              <MatchingRulesEditor
                rules={matching.rules}
                guests={matching.guests}
                issues={byPath}
                canManage={canManage}
                onChange={(change) => edit(withMatching(draft, change))}
              />
            </Spacings.Stack>
          </Card>

          <Card insetScale="m">
            <Spacings.Stack scale="s">
              <Text.Subheadline as="h4">{intl.formatMessage(mappingsMessages.preview)}</Text.Subheadline>
              <MappingPreview isDisabled={busy || !valid} answer={preview} onPreview={(request) => void runPreview(draft, request)} />
            </Spacings.Stack>
          </Card>

          <Card insetScale="m">
            <Spacings.Stack scale="s">
              <Text.Subheadline as="h4">{intl.formatMessage(mappingsMessages.advanced)}</Text.Subheadline>
              <AdvancedJsonEditor draft={draft} canManage={canManage} issues={byPath} onChange={edit} onUnreadable={onUnreadableDocument} />
            </Spacings.Stack>
          </Card>

          <Card insetScale="m">
            <Spacings.Stack scale="s">
              <Text.Subheadline as="h4">{intl.formatMessage(mappingsMessages.versions)}</Text.Subheadline>
              <MappingVersions
                history={data.history}
                current={data.version}
                canManage={canManage}
                isDisabled={busy}
                onRollback={(version) => void askToRollBack(version, data.current)}
              />
            </Spacings.Stack>
          </Card>
          <ConfirmationDialog
            isOpen={pending !== undefined}
            title={
              pending?.kind === 'rollback'
                ? intl.formatMessage(mappingsMessages.confirmRollbackTitle, { from: pending.from })
                : intl.formatMessage(mappingsMessages.confirmSaveTitle, { version: pending?.version ?? nextVersion })
            }
            labelPrimary={intl.formatMessage(pending?.kind === 'rollback' ? mappingsMessages.rollback : mappingsMessages.save)}
            onCancel={() => setPending(undefined)}
            onClose={() => setPending(undefined)}
            onConfirm={() => pending && void confirm(pending)}
          >
            <Spacings.Stack scale="s">
              <Text.Body>
                {pending?.kind === 'rollback'
                  ? intl.formatMessage(mappingsMessages.confirmRollbackBody, { from: pending.from, version: pending.version, current: data.version, crm: crmLabel })
                  : intl.formatMessage(mappingsMessages.confirmSaveBody, { crm: crmLabel })}
              </Text.Body>
              <Text.Detail isBold>{intl.formatMessage(mappingsMessages.whatChanges)}</Text.Detail>
              <ul aria-label={intl.formatMessage(mappingsMessages.whatChanges)} style={{ margin: 0, paddingLeft: 16 }}>
                {(pending?.changes ?? [intl.formatMessage(changeMessages.nothing)]).map((line) => (
                  <li key={line}>
                    <Text.Detail>{line}</Text.Detail>
                  </li>
                ))}
              </ul>
            </Spacings.Stack>
          </ConfirmationDialog>
        </Fragment>
      ) : null}
    </Spacings.Stack>
  );
}
