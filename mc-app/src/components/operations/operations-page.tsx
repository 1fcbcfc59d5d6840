import { useEffect, useState } from 'react';
import { useIntl } from 'react-intl';
import { ConfirmationDialog } from '@commercetools-frontend/application-components';
import { useIsAuthorized } from '@commercetools-frontend/permissions';
import Card from '@commercetools-uikit/card';
import CheckboxInput from '@commercetools-uikit/checkbox-input';
import LoadingSpinner from '@commercetools-uikit/loading-spinner';
import { ContentNotification } from '@commercetools-uikit/notifications';
import PrimaryButton from '@commercetools-uikit/primary-button';
import SecondaryButton from '@commercetools-uikit/secondary-button';
import Spacings from '@commercetools-uikit/spacings';
import Text from '@commercetools-uikit/text';
import TextInput from '@commercetools-uikit/text-input';
import { ServiceError } from '../../api/client';
import { useServiceCall, useServiceQuery } from '../../api/hooks';
import { operationEntities, serviceApi, type OperationEntity, type OperationRequest } from '../../../../core/src/api/contract';
import { PERMISSIONS } from '../../constants';
import { useConnectionCrm } from '../shared/connection-crm';
import { HiddenLabel } from '../shared/hidden-label';
import { PageError } from '../shared/page-error';
import { kindOf, OperationList } from './operation-list';
import { operationEntityMessages, operationsMessages, reportMessages } from './messages';
import { ReconciliationReport } from './reconciliation-report';

/** While an operation is queued or running, the page asks again this often (the job writes progress every few seconds). */
const watchIntervalMs = 2_000;

type Scope = { store: string; idFrom: string; idTo: string };

function backfillRequest(entities: Set<OperationEntity>, scope: Scope): OperationRequest {
  const trimmed = Object.fromEntries(Object.entries(scope).map(([key, value]) => [key, value.trim()]).filter(([, value]) => value !== ''));
  return {
    kind: 'backfill',
    ...(entities.size < operationEntities.length ? { entities: operationEntities.filter((entity) => entities.has(entity)) } : {}),
    ...(Object.keys(trimmed).length > 0 ? { scope: trimmed } : {}),
  };
}

function ScopeInput({ label, name, value, onChange }: { label: string; name: keyof Scope; value: string; onChange: (name: keyof Scope, value: string) => void }) {
  return (
    <Spacings.Stack scale="xs">
      <Text.Detail isBold>{label}</Text.Detail>
      <HiddenLabel text={label}>
        <TextInput name={name} value={value} horizontalConstraint={7} onChange={(event) => onChange(name, event.target.value)} />
      </HiddenLabel>
    </Spacings.Stack>
  );
}

/**
 * Operator actions: start a backfill (optionally scoped: the re-sync of part
 * of the data) or a reconciliation, each confirmed with what it will do;
 * watch the current and recent ones; read the latest reconciliation report.
 */
export function OperationsPage() {
  const intl = useIntl();
  const canManage = useIsAuthorized({ demandedPermissions: [PERMISSIONS.Manage] });
  const call = useServiceCall();
  const { crm } = useConnectionCrm();
  const crmLabel = crm?.label ?? 'CRM';
  const operations = useServiceQuery(serviceApi.operations.list, {});
  const report = useServiceQuery(serviceApi.reconciliation.latest, {});
  const rolling = useServiceQuery(serviceApi.reconciliation.current, {});
  const [entities, setEntities] = useState<Set<OperationEntity>>(new Set(operationEntities));
  const [scope, setScope] = useState<Scope>({ store: '', idFrom: '', idTo: '' });
  const [repair, setRepair] = useState(true);
  const [pending, setPending] = useState<OperationRequest | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ tone: 'success' | 'error'; text: string } | undefined>(undefined);

  const active = operations.data?.active;
  const { refetch: refetchOperations } = operations;
  const { refetch: refetchLatest } = report;
  const { refetch: refetchRolling } = rolling;
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(() => void refetchOperations(), watchIntervalMs);
    return () => {
      clearInterval(timer);
      // The operation just ended (or the page closes): a reconciliation leaves a new report.
      void refetchLatest();
    };
  }, [active?.id, refetchOperations, refetchLatest]);

  const describe = (request: OperationRequest) => {
    if (request.kind === 'reconcile') {
      return intl.formatMessage(request.repair ? operationsMessages.confirmReconcileRepair : operationsMessages.confirmReconcileReport, { crm: crmLabel });
    }
    const names = (request.entities ?? operationEntities).map((entity) => intl.formatMessage(operationEntityMessages[entity])).join(', ');
    const parts = [
      request.scope?.store ? intl.formatMessage(operationsMessages.scopeStore, { store: request.scope.store }) : undefined,
      request.scope?.idFrom || request.scope?.idTo
        ? intl.formatMessage(operationsMessages.scopeRange, {
            from: request.scope.idFrom ?? intl.formatMessage(operationsMessages.scopeAny),
            to: request.scope.idTo ?? intl.formatMessage(operationsMessages.scopeAny),
          })
        : undefined,
    ].filter(Boolean);
    const what = parts.length > 0 ? intl.formatMessage(operationsMessages.scoped, { entities: names, scope: parts.join(' ') }) : intl.formatMessage(operationsMessages.everything, { entities: names });
    return intl.formatMessage(operationsMessages.confirmBackfillBody, { what, crm: crmLabel });
  };

  const confirm = async () => {
    if (!pending) return;
    const request = pending;
    setPending(undefined);
    setBusy(true);
    try {
      const started = await call(serviceApi.operations.start, { body: request });
      setResult({ tone: 'success', text: intl.formatMessage(operationsMessages.started, { kind: kindOf(intl, started.request) }) });
    } catch (error) {
      setResult({ tone: 'error', text: error instanceof Error ? error.message : String(error) });
    } finally {
      setBusy(false);
      void refetchOperations();
    }
  };

  const toggleEntity = (entity: OperationEntity) =>
    setEntities((current) => {
      const next = new Set(current);
      if (next.has(entity)) next.delete(entity);
      else next.add(entity);
      return next;
    });
  const startDisabled = busy || active !== undefined;
  const notFound = (error: Error | undefined) => error instanceof ServiceError && error.status === 404;
  const reportMissing = notFound(report.error);

  return (
    <Spacings.Stack scale="l">
      <Spacings.Inline justifyContent="space-between" alignItems="center">
        <Text.Headline as="h1">{intl.formatMessage(operationsMessages.title)}</Text.Headline>
        <SecondaryButton
          label={intl.formatMessage(operationsMessages.refresh)}
          onClick={() => {
            void refetchOperations();
            void refetchLatest();
            void refetchRolling();
          }}
          isDisabled={operations.loading}
        />
      </Spacings.Inline>
      <Text.Detail tone="secondary">{intl.formatMessage(operationsMessages.intro, { crm: crmLabel })}</Text.Detail>

      {canManage ? (
        <Spacings.Inline scale="l" alignItems="flex-start">
          <Card insetScale="m">
            <section aria-label={intl.formatMessage(operationsMessages.startBackfill)}>
              <Spacings.Stack scale="s">
                <Text.Subheadline as="h4">{intl.formatMessage(operationsMessages.startBackfill)}</Text.Subheadline>
                <Text.Detail tone="secondary">{intl.formatMessage(operationsMessages.backfillHint)}</Text.Detail>
                <Text.Detail isBold>{intl.formatMessage(operationsMessages.entities)}</Text.Detail>
                <Spacings.Inline scale="m">
                  {operationEntities.map((entity) => (
                    <CheckboxInput key={entity} isChecked={entities.has(entity)} onChange={() => toggleEntity(entity)}>
                      {intl.formatMessage(operationEntityMessages[entity])}
                    </CheckboxInput>
                  ))}
                </Spacings.Inline>
                <ScopeInput label={intl.formatMessage(operationsMessages.store)} name="store" value={scope.store} onChange={(name, value) => setScope({ ...scope, [name]: value })} />
                <Spacings.Inline scale="m">
                  <ScopeInput label={intl.formatMessage(operationsMessages.idFrom)} name="idFrom" value={scope.idFrom} onChange={(name, value) => setScope({ ...scope, [name]: value })} />
                  <ScopeInput label={intl.formatMessage(operationsMessages.idTo)} name="idTo" value={scope.idTo} onChange={(name, value) => setScope({ ...scope, [name]: value })} />
                </Spacings.Inline>
                <PrimaryButton
                  label={intl.formatMessage(operationsMessages.backfillButton)}
                  isDisabled={startDisabled || entities.size === 0}
                  onClick={() => setPending(backfillRequest(entities, scope))}
                />
              </Spacings.Stack>
            </section>
          </Card>
          <Card insetScale="m">
            <section aria-label={intl.formatMessage(operationsMessages.startReconcile)}>
              <Spacings.Stack scale="s">
                <Text.Subheadline as="h4">{intl.formatMessage(operationsMessages.startReconcile)}</Text.Subheadline>
                <CheckboxInput isChecked={repair} onChange={() => setRepair(!repair)}>
                  {intl.formatMessage(operationsMessages.repair)}
                </CheckboxInput>
                <PrimaryButton
                  label={intl.formatMessage(operationsMessages.reconcileButton)}
                  isDisabled={startDisabled}
                  onClick={() => setPending({ kind: 'reconcile', repair })}
                />
              </Spacings.Stack>
            </section>
          </Card>
        </Spacings.Inline>
      ) : (
        <Text.Detail tone="secondary">{intl.formatMessage(operationsMessages.viewOnly)}</Text.Detail>
      )}

      <ConfirmationDialog
        isOpen={pending !== undefined}
        title={intl.formatMessage(pending?.kind === 'reconcile' ? operationsMessages.confirmReconcileTitle : operationsMessages.confirmBackfillTitle)}
        labelPrimary={intl.formatMessage(operationsMessages.start)}
        onCancel={() => setPending(undefined)}
        onClose={() => setPending(undefined)}
        onConfirm={() => void confirm()}
      >
        <Text.Body>{pending ? describe(pending) : ''}</Text.Body>
      </ConfirmationDialog>

      {result ? (
        <div role="status">
          <ContentNotification type={result.tone}>{result.text}</ContentNotification>
        </div>
      ) : null}

      <Card insetScale="m">
        <Spacings.Stack scale="s">
          <Text.Subheadline as="h4">{intl.formatMessage(operationsMessages.recent)}</Text.Subheadline>
          {operations.error ? <PageError error={operations.error} /> : null}
          {operations.loading && !operations.data ? <LoadingSpinner>{intl.formatMessage(operationsMessages.loading)}</LoadingSpinner> : null}
          {operations.data ? <OperationList operations={operations.data.recent} /> : null}
        </Spacings.Stack>
      </Card>

      <Card insetScale="m">
        <section aria-label={intl.formatMessage(reportMessages.title)}>
          <Spacings.Stack scale="s">
            <Text.Subheadline as="h4">{intl.formatMessage(reportMessages.title)}</Text.Subheadline>
            {reportMissing ? <Text.Detail tone="secondary">{intl.formatMessage(reportMessages.none)}</Text.Detail> : null}
            {report.error && !reportMissing ? <PageError error={report.error} /> : null}
            {report.data ? <ReconciliationReport report={report.data} crmLabel={crmLabel} /> : null}
          </Spacings.Stack>
        </section>
      </Card>

      {rolling.error && !notFound(rolling.error) ? <PageError error={rolling.error} /> : null}
      {rolling.data ? (
        <Card insetScale="m">
          <section aria-label={intl.formatMessage(reportMessages.current)}>
            <Spacings.Stack scale="s">
              <Text.Subheadline as="h4">{intl.formatMessage(reportMessages.current)}</Text.Subheadline>
              <ReconciliationReport report={rolling.data} crmLabel={crmLabel} />
            </Spacings.Stack>
          </section>
        </Card>
      ) : null}
    </Spacings.Stack>
  );
}
