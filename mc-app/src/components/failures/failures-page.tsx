import { useCallback, useMemo, useState } from 'react';
import { useHistory, useLocation } from 'react-router-dom';
import { useIsAuthorized } from '@commercetools-frontend/permissions';
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
  failureEntities,
  failureFilterSchema,
  failureStates,
  serviceApi,
  type FailureFilter,
  type FailureListQuery,
  type FailureSort,
  type FailureSummary,
  type ReplayOutcome,
} from '../../../../core/src/api/contract';
import { PERMISSIONS } from '../../constants';
import { errorClassLabels, formatDateTime } from '../shared/format';
import { PageError } from '../shared/page-error';
import { StateStamp } from './state-stamp';

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

const anyOption = { value: '', label: 'Any' };

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

export function FailuresPage({ baseUrl }: { baseUrl: string }) {
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
  const call = useServiceCall();

  const cursor = cursors[cursors.length - 1];
  const { data, error, loading, refetch } = useServiceQuery(serviceApi.failures.list, { query: listQuery(filters, sort, limit, cursor) });
  const status = useServiceQuery(serviceApi.status.get, {});
  const crmOptions = useMemo(
    () => [
      anyOption,
      ...[...new Set(status.data?.connections.map((c) => c.crm) ?? [])].map((crm) => ({ value: crm, label: crm })),
    ],
    [status.data]
  );

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
        .map((r) => ` ${r.id}: ${r.outcome}${r.detail ? ` (${r.detail})` : ''}.`)
        .join('');
      return {
        tone: failed === 0 ? 'success' : resolved === 0 ? 'error' : 'warning',
        text: `Replayed ${answer.results.length}: ${resolved} resolved, ${failed} still failing.${details}`,
      };
    });

  const dismiss = (ids: string[]) =>
    runAction(async () => {
      for (const id of ids) {
        await call(serviceApi.failures.dismiss, { params: { id } });
        setOutcomes((previous) => ({ ...previous, [id]: 'dismissed' }));
      }
      setSelected(new Set());
      return { tone: 'success', text: `Dismissed ${ids.length}.` };
    });

  const columns: TColumn<FailureSummary>[] = [
    ...(canManage
      ? [
          {
            key: 'select',
            label: (
              <CheckboxInput
                isChecked={allSelected}
                onChange={() => setSelected(allSelected ? new Set() : new Set(rows.map((row) => row.id)))}
              >
                <span style={{ position: 'absolute', left: -10000 }}>Select all</span>
              </CheckboxInput>
            ),
            shouldIgnoreRowClick: true,
            width: '48px',
          },
        ]
      : []),
    { key: 'lastFailedAt', label: 'Last failed', isSortable: true },
    { key: 'crm', label: 'CRM' },
    { key: 'entity', label: 'Entity', isSortable: true },
    { key: 'sourceId', label: 'Record' },
    { key: 'errorClass', label: 'Error class', isSortable: true },
    { key: 'message', label: 'Message', isTruncated: true, width: 'minmax(160px, 2fr)' },
    { key: 'attempts', label: 'Attempts', isSortable: true },
    { key: 'state', label: 'State' },
    ...(canManage ? [{ key: 'actions', label: 'Actions', shouldIgnoreRowClick: true }] : []),
  ];

  const renderItem = (row: FailureSummary, column: TColumn<FailureSummary>) => {
    switch (column.key) {
      case 'select':
        return (
          <CheckboxInput isChecked={selected.has(row.id)} onChange={() => toggle(row.id)}>
            <span style={{ position: 'absolute', left: -10000 }}>{`Select ${row.sourceId}`}</span>
          </CheckboxInput>
        );
      case 'lastFailedAt':
        return formatDateTime(row.lastFailedAt);
      case 'errorClass':
        return errorClassLabels[row.errorClass] ?? row.errorClass;
      case 'state':
        return <StateStamp state={row.state} outcome={outcomes[row.id]} />;
      case 'actions':
        return row.state === 'open' || row.state === 'retrying' ? (
          <Spacings.Inline scale="s">
            <FlatButton label="Replay" onClick={() => void replay([row.id])} isDisabled={busy} />
            <FlatButton label="Dismiss" tone="secondary" onClick={() => void dismiss([row.id])} isDisabled={busy} />
          </Spacings.Inline>
        ) : null;
      default: {
        const value = row[column.key as keyof FailureSummary];
        return value === undefined ? '' : String(value);
      }
    }
  };

  return (
    <Spacings.Stack scale="l">
      <Text.Headline as="h1">Failed records</Text.Headline>
      <form aria-label="Filters" onSubmit={(event) => event.preventDefault()}>
        <Spacings.Inline scale="m" alignItems="flex-end">
          <FilterSelect label="CRM" name="crm" width={6} value={filters.crm} options={crmOptions} onChange={changeFilter} />
          <FilterSelect label="Entity" name="entity" width={5} value={filters.entity} options={[anyOption, ...failureEntities.map((e) => ({ value: e, label: e }))]} onChange={changeFilter} />
          <FilterSelect
            label="Error class"
            name="errorClass"
            width={6}
            value={filters.errorClass}
            options={[anyOption, ...errorClasses.map((c) => ({ value: c, label: errorClassLabels[c] ?? c }))]}
            onChange={changeFilter}
          />
          <FilterSelect label="State" name="state" width={5} value={filters.state} options={[anyOption, ...failureStates.map((s) => ({ value: s, label: s }))]} onChange={changeFilter} />
          <FilterDate label="From" name="from" value={filters.from} onChange={changeFilter} />
          <FilterDate label="To" name="to" value={filters.to} onChange={changeFilter} />
        </Spacings.Inline>
      </form>

      {canManage ? (
        <Spacings.Inline scale="m" alignItems="center">
          <PrimaryButton
            label={`Replay selected (${selected.size})`}
            isDisabled={selected.size === 0 || busy}
            onClick={() => void replay([...selected])}
          />
          <SecondaryButton
            label={`Dismiss selected (${selected.size})`}
            isDisabled={selected.size === 0 || busy}
            onClick={() => void dismiss([...selected])}
          />
        </Spacings.Inline>
      ) : (
        <Text.Detail tone="secondary">You can look at failures; replaying or dismissing needs the Manage permission.</Text.Detail>
      )}

      {result ? (
        <div role="status">
          <ContentNotification type={result.tone}>{result.text}</ContentNotification>
        </div>
      ) : null}
      {error ? <PageError error={error} /> : null}
      {loading && !data ? <LoadingSpinner>Loading failures</LoadingSpinner> : null}
      {data ? (
        rows.length === 0 ? (
          <Text.Body>No failed records match these filters.</Text.Body>
        ) : (
          <DataTable<FailureSummary>
            rows={rows}
            columns={columns}
            itemRenderer={renderItem}
            sortedBy={sort.column}
            sortDirection={sort.direction}
            onSortChange={(columnKey, direction) => {
              setSort({ column: columnKey as SortKey, direction });
              setCursors([undefined]);
            }}
            onRowClick={(row) => history.push(`${baseUrl}/failures/${encodeURIComponent(row.id)}`)}
          />
        )
      ) : null}
      <Spacings.Inline scale="m" alignItems="center">
        <SecondaryButton
          label="Previous page"
          isDisabled={cursors.length <= 1 || loading}
          onClick={() => setCursors((previous) => previous.slice(0, -1))}
        />
        <Text.Detail>{`Page ${cursors.length}`}</Text.Detail>
        <SecondaryButton
          label="Next page"
          isDisabled={!data?.nextCursor || loading}
          onClick={() => data?.nextCursor && setCursors((previous) => [...previous, data.nextCursor])}
        />
        <label>
          <Spacings.Inline scale="s" alignItems="center">
            <Text.Detail>Per page</Text.Detail>
            <SelectInput
              name="limit"
              aria-label="Per page"
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
