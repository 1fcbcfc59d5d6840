import { useCallback, useMemo, useState } from 'react';
import { useIntl } from 'react-intl';
import { Link, useHistory, useLocation } from 'react-router-dom';
import { useIsAuthorized } from '@commercetools-frontend/permissions';
import { ConfirmationDialog } from '@commercetools-frontend/application-components';
import CheckboxInput from '@commercetools-uikit/checkbox-input';
import DataTable, { type TColumn } from '@commercetools-uikit/data-table';
import DateInput from '@commercetools-uikit/date-input';
import FlatButton from '@commercetools-uikit/flat-button';
import LoadingSpinner from '@commercetools-uikit/loading-spinner';
import { ContentNotification } from '@commercetools-uikit/notifications';
import PrimaryButton from '@commercetools-uikit/primary-button';
import SecondaryButton from '@commercetools-uikit/secondary-button';
import SelectInput from '@commercetools-uikit/select-input';
import Spacings from '@commercetools-uikit/spacings';
import Text from '@commercetools-uikit/text';
import { useServiceCall, useServiceQuery } from '../../api/hooks';
import {
  errorClasses,
  failureDirections,
  failureEntities,
  failureFilterSchema,
  failureStates,
  serviceApi,
  type FailureFilter,
  type FailureListItem,
  type FailureListQuery,
  type FailureSort,
  type ReplayOutcome,
} from '../../../../core/src/api/contract';
import { PERMISSIONS } from '../../constants';
import { useConnectionCrm } from '../shared/connection-crm';
import { formatDateTime } from '../shared/format';
import { directionMessages, errorClassMessages, sharedMessages, stateMessages } from '../shared/messages';
import { PageError } from '../shared/page-error';
import { failuresMessages } from './messages';
import { StateStamp } from './state-stamp';
import { describeSubject, entityLabel, SubjectDetail } from './subject';

/** The filter form: '' is "any"; `from` and `to` are days as the date inputs give them. */
export type FailureFilters = { [K in keyof FailureFilter]-?: NonNullable<FailureFilter[K]> | '' };

type SortKey = 'lastFailedAt' | 'attempts' | 'entity' | 'errorClass';
type Sort = { column: SortKey; direction: 'asc' | 'desc' };

/** The API's `sort` values: `lastFailedAt` is newest first, `-lastFailedAt` oldest first; the others have one order. */
function sortParam(sort: Sort): FailureSort {
  if (sort.column === 'lastFailedAt') return sort.direction === 'desc' ? 'lastFailedAt' : '-lastFailedAt';
  return sort.column;
}

/** The list request of the filter form: days widened to the whole day in UTC, "any" left out. */
export function listQuery(filters: FailureFilters, sort: Sort, limit: number, cursor: string | undefined): FailureListQuery {
  return {
    crm: filters.crm || undefined,
    direction: filters.direction || undefined,
    entity: filters.entity || undefined,
    errorClass: filters.errorClass || undefined,
    state: filters.state || undefined,
    from: filters.from ? new Date(`${filters.from}T00:00:00.000Z`).toISOString() : undefined,
    to: filters.to ? new Date(`${filters.to}T23:59:59.999Z`).toISOString() : undefined,
    sort: sortParam(sort),
    limit,
    cursor,
  };
}

/** Filters from the page's URL (the status page links here with some); a value the API would refuse is dropped. */
function filtersFromSearch(search: string): FailureFilters {
  const fields = failureFilterSchema.shape;
  const given = [...new URLSearchParams(search)].filter(
    ([key, value]) => key in fields && fields[key as keyof typeof fields].safeParse(value).success
  );
  const valid = failureFilterSchema.parse(Object.fromEntries(given));
  return {
    crm: valid.crm ?? '',
    direction: valid.direction ?? '',
    entity: valid.entity ?? '',
    errorClass: valid.errorClass ?? '',
    state: valid.state ?? '',
    from: valid.from ?? '',
    to: valid.to ?? '',
  };
}

type FilterProps<K extends keyof FailureFilters> = {
  label: string;
  name: K;
  value: string;
  onChange: (key: K, value: string) => void;
};

function FilterSelect<K extends keyof FailureFilters>(props: FilterProps<K> & { width: 5 | 6; options: { value: string; label: string }[] }) {
  return (
    <label>
      <Text.Detail isBold>{props.label}</Text.Detail>
      <SelectInput
        name={props.name}
        aria-label={props.label}
        horizontalConstraint={props.width}
        value={props.value}
        options={props.options}
        onChange={(event) => props.onChange(props.name, String(event.target.value ?? ''))}
      />
    </label>
  );
}

function FilterDate<K extends keyof FailureFilters>(props: FilterProps<K>) {
  return (
    <label>
      <Text.Detail isBold>{props.label}</Text.Detail>
      <DateInput
        name={props.name}
        aria-label={props.label}
        horizontalConstraint={6}
        value={props.value}
        onChange={(event) => props.onChange(props.name, String(event.target.value ?? ''))}
      />
    </label>
  );
}

type ActionResult = { tone: 'success' | 'error' | 'warning'; text: string };
type Pending = { kind: 'replay' | 'dismiss'; ids: string[] };

export function FailuresPage({ baseUrl }: { baseUrl: string }) {
  const intl = useIntl();
  const history = useHistory();
  const location = useLocation();
  const canManage = useIsAuthorized({ demandedPermissions: [PERMISSIONS.Manage] });
  const [filters, setFilters] = useState<FailureFilters>(() => filtersFromSearch(location.search));
  const [sort, setSort] = useState<Sort>({ column: 'lastFailedAt', direction: 'desc' });
  const [limit, setLimit] = useState(20);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [outcomes, setOutcomes] = useState<Record<string, ReplayOutcome | 'dismissed'>>({});
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ActionResult | undefined>(undefined);
  const [pending, setPending] = useState<Pending | undefined>(undefined);
  const call = useServiceCall();
  const { crm, labelOf } = useConnectionCrm();

  const cursor = cursors[cursors.length - 1];
  const { data, error, loading, refetch } = useServiceQuery(serviceApi.failures.list, { query: listQuery(filters, sort, limit, cursor) });
  const any = { value: '', label: intl.formatMessage(sharedMessages.any) };
  const crmOptions = useMemo(() => {
    const names = new Set([...(crm ? [crm.name] : []), ...(filters.crm ? [filters.crm] : [])]);
    return [...names].map((name) => ({ value: name, label: labelOf(name) }));
  }, [crm, filters.crm, labelOf]);
  const crmLabel = crm?.label ?? intl.formatMessage(failuresMessages.crm);

  const changeFilter = (key: keyof FailureFilters, value: string) => {
    setFilters((previous) => ({ ...previous, [key]: value }));
    setCursors([undefined]);
    setSelected(new Set());
  };

  const rows = data?.items ?? [];
  const toggle = (id: string) =>
    setSelected((previous) => {
      const next = new Set(previous);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const allSelected = rows.length > 0 && rows.every((row) => selected.has(row.id));

  const runAction = useCallback(
    async (action: () => Promise<ActionResult>) => {
      setBusy(true);
      setResult(undefined);
      try {
        setResult(await action());
      } catch (caught) {
        setResult({ tone: 'error', text: caught instanceof Error ? caught.message : String(caught) });
      } finally {
        setBusy(false);
        await refetch();
      }
    },
    [refetch]
  );

  const replay = (ids: string[]) =>
    runAction(async () => {
      const answer = await call(serviceApi.failures.replayMany, { body: { ids } });
      setOutcomes((previous) => ({
        ...previous,
        ...Object.fromEntries(answer.results.map((r) => [r.id, r.outcome === 'resolved' ? 'resolved' : 'failed'])),
      }));
      setSelected(new Set());
      const resolved = answer.results.filter((r) => r.outcome === 'resolved').length;
      const failed = answer.results.length - resolved;
      const details = answer.results
        .filter((r) => r.outcome !== 'resolved' && r.outcome !== 'failed')
        .map((r) => ` ${intl.formatMessage(failuresMessages.replayDetail, { id: r.id, outcome: r.detail ? `${r.outcome} (${r.detail})` : r.outcome })}.`)
        .join('');
      return {
        tone: failed === 0 ? 'success' : resolved === 0 ? 'error' : 'warning',
        text: `${intl.formatMessage(failuresMessages.replayed, { count: answer.results.length, resolved, failed })}${details}`,
      };
    });

  const dismiss = (ids: string[]) =>
    runAction(async () => {
      for (const id of ids) {
        await call(serviceApi.failures.dismiss, { params: { id } });
        setOutcomes((previous) => ({ ...previous, [id]: 'dismissed' }));
      }
      setSelected(new Set());
      return { tone: 'success', text: intl.formatMessage(failuresMessages.dismissed, { count: ids.length }) };
    });

  const detailUrl = (row: FailureListItem) => `${baseUrl}/failures/${encodeURIComponent(row.id)}`;
  const columns: TColumn<FailureListItem>[] = [
    ...(canManage
      ? [
          {
            key: 'select',
            label: (
              <CheckboxInput isChecked={allSelected} onChange={() => setSelected(allSelected ? new Set() : new Set(rows.map((row) => row.id)))}>
                <span style={{ position: 'absolute', left: -10000 }}>{intl.formatMessage(failuresMessages.selectAll)}</span>
              </CheckboxInput>
            ),
            shouldIgnoreRowClick: true,
            width: '48px',
          },
        ]
      : []),
    { key: 'lastFailedAt', label: intl.formatMessage(failuresMessages.lastFailed), isSortable: true, width: 'minmax(110px, auto)' },
    { key: 'subject', label: intl.formatMessage(failuresMessages.subject), width: 'minmax(220px, 2fr)' },
    { key: 'entity', label: intl.formatMessage(failuresMessages.entity), isSortable: true },
    // One column for the way the record went: which CRM, and in which direction.
    { key: 'direction', label: intl.formatMessage(failuresMessages.direction), width: 'minmax(150px, auto)' },
    { key: 'errorClass', label: intl.formatMessage(failuresMessages.errorClass), isSortable: true },
    { key: 'message', label: intl.formatMessage(failuresMessages.message), isTruncated: true, width: 'minmax(160px, 2fr)' },
    { key: 'attempts', label: intl.formatMessage(failuresMessages.attempts), isSortable: true },
    { key: 'state', label: intl.formatMessage(failuresMessages.state) },
    ...(canManage ? [{ key: 'actions', label: intl.formatMessage(failuresMessages.actions), shouldIgnoreRowClick: true, width: 'minmax(150px, auto)' }] : []),
  ];

  const renderItem = (row: FailureListItem, column: TColumn<FailureListItem>) => {
    const subject = describeSubject(intl, row);
    switch (column.key) {
      case 'select':
        return (
          <CheckboxInput isChecked={selected.has(row.id)} onChange={() => toggle(row.id)}>
            <span style={{ position: 'absolute', left: -10000 }}>{intl.formatMessage(failuresMessages.select, { name: subject.name })}</span>
          </CheckboxInput>
        );
      case 'lastFailedAt':
        return formatDateTime(row.lastFailedAt);
      case 'subject':
        return (
          <div>
            <Link to={detailUrl(row)} onClick={(event) => event.stopPropagation()}>
              {subject.name}
            </Link>
            <SubjectDetail text={subject.detail} />
          </div>
        );
      case 'entity':
        return entityLabel(intl, row.entity);
      case 'direction':
        return intl.formatMessage(row.direction === 'ct-to-crm' ? failuresMessages.toCrm : failuresMessages.fromCrm, { crm: labelOf(row.crm) });
      case 'errorClass':
        return intl.formatMessage(errorClassMessages[row.errorClass]);
      case 'message':
        // Cut to the column; the whole message on hover and in the detail.
        return <span title={row.message}>{row.message}</span>;
      case 'attempts':
        return String(row.attempts);
      case 'state':
        return <StateStamp state={row.state} outcome={outcomes[row.id]} />;
      case 'actions':
        return row.state === 'open' || row.state === 'retrying' ? (
          <Spacings.Inline scale="s">
            {row.errorClass === 'ambiguous_match' ? (
              // Replaying would meet the same people again: the way out is a decision, on the detail.
              <Link to={detailUrl(row)}>{intl.formatMessage(failuresMessages.review)}</Link>
            ) : (
              <FlatButton label={intl.formatMessage(failuresMessages.replay)} onClick={() => void replay([row.id])} isDisabled={busy} />
            )}
            <FlatButton label={intl.formatMessage(failuresMessages.dismiss)} tone="secondary" onClick={() => void dismiss([row.id])} isDisabled={busy} />
          </Spacings.Inline>
        ) : null;
      default:
        return null;
    }
  };

  const confirm = () => {
    if (!pending) return;
    setPending(undefined);
    void (pending.kind === 'replay' ? replay(pending.ids) : dismiss(pending.ids));
  };

  return (
    <Spacings.Stack scale="l">
      <Text.Headline as="h1">{intl.formatMessage(failuresMessages.title)}</Text.Headline>
      <form aria-label={intl.formatMessage(failuresMessages.filters)} onSubmit={(event) => event.preventDefault()}>
        <Spacings.Inline scale="m" alignItems="flex-end">
          <FilterSelect label={intl.formatMessage(failuresMessages.crm)} name="crm" width={5} value={filters.crm} options={[any, ...crmOptions]} onChange={changeFilter} />
          <FilterSelect
            label={intl.formatMessage(failuresMessages.direction)}
            name="direction"
            width={6}
            value={filters.direction}
            options={[any, ...failureDirections.map((d) => ({ value: d, label: intl.formatMessage(directionMessages[d]) }))]}
            onChange={changeFilter}
          />
          <FilterSelect
            label={intl.formatMessage(failuresMessages.entity)}
            name="entity"
            width={5}
            value={filters.entity}
            options={[any, ...failureEntities.map((e) => ({ value: e, label: entityLabel(intl, e) }))]}
            onChange={changeFilter}
          />
          <FilterSelect
            label={intl.formatMessage(failuresMessages.errorClass)}
            name="errorClass"
            width={6}
            value={filters.errorClass}
            options={[any, ...errorClasses.map((c) => ({ value: c, label: intl.formatMessage(errorClassMessages[c]) }))]}
            onChange={changeFilter}
          />
          <FilterSelect
            label={intl.formatMessage(failuresMessages.state)}
            name="state"
            width={5}
            value={filters.state}
            options={[any, ...failureStates.map((s) => ({ value: s, label: intl.formatMessage(stateMessages[s]) }))]}
            onChange={changeFilter}
          />
          <FilterDate label={intl.formatMessage(failuresMessages.from)} name="from" value={filters.from} onChange={changeFilter} />
          <FilterDate label={intl.formatMessage(failuresMessages.to)} name="to" value={filters.to} onChange={changeFilter} />
        </Spacings.Inline>
      </form>

      {canManage ? (
        <Spacings.Inline scale="m" alignItems="center">
          <PrimaryButton
            label={intl.formatMessage(failuresMessages.replaySelected, { count: selected.size })}
            isDisabled={selected.size === 0 || busy}
            onClick={() => setPending({ kind: 'replay', ids: [...selected] })}
          />
          <SecondaryButton
            label={intl.formatMessage(failuresMessages.dismissSelected, { count: selected.size })}
            isDisabled={selected.size === 0 || busy}
            onClick={() => setPending({ kind: 'dismiss', ids: [...selected] })}
          />
        </Spacings.Inline>
      ) : (
        <Text.Detail tone="secondary">{intl.formatMessage(failuresMessages.viewOnly)}</Text.Detail>
      )}
      <ConfirmationDialog
        isOpen={pending !== undefined}
        title={intl.formatMessage(pending?.kind === 'dismiss' ? failuresMessages.confirmDismissTitle : failuresMessages.confirmReplayTitle, {
          count: pending?.ids.length ?? 0,
        })}
        labelPrimary={intl.formatMessage(pending?.kind === 'dismiss' ? failuresMessages.dismiss : failuresMessages.replay)}
        onCancel={() => setPending(undefined)}
        onClose={() => setPending(undefined)}
        onConfirm={confirm}
      >
        <Text.Body>
          {intl.formatMessage(pending?.kind === 'dismiss' ? failuresMessages.confirmDismissBody : failuresMessages.confirmReplayBody, { crm: crmLabel })}
        </Text.Body>
      </ConfirmationDialog>

      {result ? (
        <div role="status">
          <ContentNotification type={result.tone}>{result.text}</ContentNotification>
        </div>
      ) : null}
      {error ? <PageError error={error} /> : null}
      {loading && !data ? <LoadingSpinner>{intl.formatMessage(failuresMessages.loading)}</LoadingSpinner> : null}
      {data ? (
        rows.length === 0 ? (
          <Text.Body>{intl.formatMessage(failuresMessages.empty)}</Text.Body>
        ) : (
          <DataTable<FailureListItem>
            rows={rows}
            columns={columns}
            itemRenderer={renderItem}
            sortedBy={sort.column}
            sortDirection={sort.direction}
            onSortChange={(columnKey, direction) => {
              setSort({ column: columnKey as SortKey, direction });
              setCursors([undefined]);
            }}
            onRowClick={(row) => history.push(detailUrl(row))}
          />
        )
      ) : null}
      <Spacings.Inline scale="m" alignItems="center">
        <SecondaryButton
          label={intl.formatMessage(failuresMessages.previousPage)}
          isDisabled={cursors.length <= 1 || loading}
          onClick={() => setCursors((previous) => previous.slice(0, -1))}
        />
        <Text.Detail>{intl.formatMessage(failuresMessages.page, { page: cursors.length })}</Text.Detail>
        <SecondaryButton
          label={intl.formatMessage(failuresMessages.nextPage)}
          isDisabled={!data?.nextCursor || loading}
          onClick={() => data?.nextCursor && setCursors((previous) => [...previous, data.nextCursor])}
        />
        <label>
          <Spacings.Inline scale="s" alignItems="center">
            <Text.Detail>{intl.formatMessage(failuresMessages.perPage)}</Text.Detail>
            <SelectInput
              name="limit"
              aria-label={intl.formatMessage(failuresMessages.perPage)}
              horizontalConstraint={3}
              value={String(limit)}
              options={['20', '50', '100'].map((n) => ({ value: n, label: n }))}
              onChange={(event) => {
                setLimit(Number(event.target.value));
                setCursors([undefined]);
              }}
            />
          </Spacings.Inline>
        </label>
      </Spacings.Inline>
    </Spacings.Stack>
  );
}
