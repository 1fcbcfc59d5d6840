import { useIntl } from 'react-intl';
import DataTable, { type TColumn } from '@commercetools-uikit/data-table';
import Spacings from '@commercetools-uikit/spacings';
import Text from '@commercetools-uikit/text';
import { ContentNotification } from '@commercetools-uikit/notifications';
import { driftKinds, type ReconciliationReportAnswer } from '../../../../core/src/api/contract';
import { mappedEntities } from '../../../../core/src/domain/mapping-config';
import { formatDateTime } from '../shared/format';
import { entityMessages } from '../shared/messages';
import { driftKindMessages, reportMessages } from './messages';

type Item = ReconciliationReportAnswer['items'][number];
type Row = Item & { id: string };

/** The latest reconciliation: what was compared, drift counted per kind, and each drifted record with what was repaired or why not. */
export function ReconciliationReport({ report, crmLabel }: { report: ReconciliationReportAnswer; crmLabel: string }) {
  const intl = useIntl();
  const { counts, pass } = report;
  const byEntity = mappedEntities.flatMap((entity) => {
    const entityCounts = report.byEntity?.[entity];
    return entityCounts ? [[entity, entityCounts] as const] : [];
  });
  const rows: Row[] = report.items.map((item, index) => ({ ...item, id: `${item.kind}-${item.entity}-${item.sourceId}-${index}` }));
  const columns: TColumn<Row>[] = [
    { key: 'kind', label: intl.formatMessage(reportMessages.kind) },
    { key: 'entity', label: intl.formatMessage(reportMessages.entity) },
    { key: 'sourceId', label: intl.formatMessage(reportMessages.sourceId) },
    { key: 'crmId', label: intl.formatMessage(reportMessages.crmId) },
    { key: 'fields', label: intl.formatMessage(reportMessages.fields) },
    { key: 'repaired', label: intl.formatMessage(reportMessages.result) },
  ];
  const cell = (row: Row, column: TColumn<Row>) => {
    switch (column.key) {
      case 'kind':
        return intl.formatMessage(driftKindMessages[row.kind]);
      case 'entity':
        return intl.formatMessage(entityMessages[row.entity]);
      case 'fields':
        return row.fields?.join(', ') ?? '—';
      case 'crmId':
        return row.crmId ?? '—';
      case 'repaired':
        if (row.repaired) return intl.formatMessage(reportMessages.wasRepaired);
        return row.error ? intl.formatMessage(reportMessages.notRepairedBecause, { error: row.error }) : intl.formatMessage(reportMessages.notRepaired);
      default:
        return row.sourceId;
    }
  };
  return (
    <Spacings.Stack scale="s">
      <Text.Body>
        {intl.formatMessage(reportMessages.summary, {
          from: formatDateTime(report.startedAt),
          to: formatDateTime(report.finishedAt),
          mode: intl.formatMessage(report.repair ? reportMessages.repairMode : reportMessages.reportMode),
          commercetools: counts.commercetools,
          crm: counts.crm,
          crmLabel,
          inSync: counts.inSync,
        })}
      </Text.Body>
      <ul aria-label={intl.formatMessage(reportMessages.countsLabel)} style={{ margin: 0, paddingLeft: 16 }}>
        {driftKinds.map((kind) => (
          <li key={kind}>
            <Text.Detail>{`${intl.formatMessage(driftKindMessages[kind])}: ${counts[kind]}`}</Text.Detail>
          </li>
        ))}
      </ul>
      <Text.Detail isBold>{intl.formatMessage(reportMessages.repaired, { repaired: counts.repaired, repairFailed: counts.repairFailed })}</Text.Detail>
      <Text.Detail tone="secondary">{intl.formatMessage(report.deleteOrphans ? reportMessages.orphansDeleted : reportMessages.orphansReported)}</Text.Detail>
      {byEntity.length > 0 ? (
        <ul aria-label={intl.formatMessage(reportMessages.byEntity)} style={{ margin: 0, paddingLeft: 16 }}>
          {byEntity.map(([entity, entityCounts]) => (
            <li key={entity}>
              <Text.Detail>
                {intl.formatMessage(reportMessages.entityCounts, {
                  entity: intl.formatMessage(entityMessages[entity]),
                  commercetools: entityCounts.commercetools,
                  inSync: entityCounts.inSync,
                  drifted: driftKinds.reduce((sum, kind) => sum + entityCounts[kind], 0),
                  repaired: entityCounts.repaired,
                })}
              </Text.Detail>
            </li>
          ))}
        </ul>
      ) : null}
      {pass ? (
        <Spacings.Stack scale="xs">
          <Text.Detail>{intl.formatMessage(reportMessages.pass, { periodHours: pass.periodHours, slices: pass.slices, steppedBack: pass.steppedBack })}</Text.Detail>
          <ul aria-label={intl.formatMessage(reportMessages.compared)} style={{ margin: 0, paddingLeft: 16 }}>
            {mappedEntities.map((entity) => (
              <li key={entity}>
                <Text.Detail>
                  {intl.formatMessage(reportMessages.comparedEntity, {
                    entity: intl.formatMessage(entityMessages[entity]),
                    done: pass.compared[entity].done,
                    total: pass.compared[entity].total,
                  })}
                </Text.Detail>
              </li>
            ))}
          </ul>
          <Text.Detail tone="secondary">{intl.formatMessage(reportMessages.crmListed, { count: pass.crmListed, done: String(pass.crmListingDone) })}</Text.Detail>
          {pass.periodAtRisk ? <ContentNotification type="warning">{intl.formatMessage(reportMessages.periodAtRisk, { periodHours: pass.periodHours })}</ContentNotification> : null}
        </Spacings.Stack>
      ) : null}
      {rows.length > 0 ? (
        <section aria-label={intl.formatMessage(reportMessages.items)}>
          <DataTable<Row> rows={rows} columns={columns} itemRenderer={cell} />
        </section>
      ) : null}
      {report.truncated ? <Text.Detail tone="secondary">{intl.formatMessage(reportMessages.truncated, { count: rows.length })}</Text.Detail> : null}
    </Spacings.Stack>
  );
}
