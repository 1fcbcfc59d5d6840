import { useState } from 'react';
import { useIntl } from 'react-intl';
import DataTable from '@commercetools-uikit/data-table';
import SecondaryButton from '@commercetools-uikit/secondary-button';
import SelectInput from '@commercetools-uikit/select-input';
import Spacings from '@commercetools-uikit/spacings';
import Text from '@commercetools-uikit/text';
import TextInput from '@commercetools-uikit/text-input';
import type { MappingPreviewAnswer } from '../../../../core/src/api/contract';
import { entityMessages } from '../shared/messages';
import { mappedEntities, type MappedEntity } from './mapping-draft';
import { previewMessages } from './messages';

export type PreviewRequest = { entity: MappedEntity; sampleIds?: string[] };

const valueText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** One table per sample record: every CRM field the edited mapping would write, with its value. */
function SampleTable({ sample }: { sample: MappingPreviewAnswer['samples'][number] }) {
  const intl = useIntl();
  const rows = Object.entries(sample.fields).map(([field, value]) => ({ id: field, field, value: valueText(value) }));
  return (
    <section aria-label={intl.formatMessage(previewMessages.of, { id: sample.sourceId })}>
      <Spacings.Stack scale="xs">
        <Text.Body isBold>{sample.sourceId}</Text.Body>
        <DataTable
          rows={rows}
          columns={[
            { key: 'field', label: intl.formatMessage(previewMessages.field) },
            { key: 'value', label: intl.formatMessage(previewMessages.value) },
          ]}
        />
      </Spacings.Stack>
    </section>
  );
}

/**
 * Runs the edited (unsaved) mapping on real records of the project through the
 * service's preview route, so what would reach the CRM is visible before saving.
 */
export function MappingPreview(props: {
  isDisabled: boolean;
  answer: MappingPreviewAnswer | undefined;
  onPreview: (request: PreviewRequest) => void;
}) {
  const intl = useIntl();
  const [entity, setEntity] = useState<MappedEntity>('person');
  const [sampleIds, setSampleIds] = useState('');
  const preview = () => {
    const ids = sampleIds.split(/[\s,]+/).filter(Boolean);
    props.onPreview({ entity, ...(ids.length > 0 ? { sampleIds: ids } : {}) });
  };
  return (
    <Spacings.Stack scale="s">
      <Spacings.Inline scale="m" alignItems="flex-end">
        <label>
          <Text.Detail isBold>{intl.formatMessage(previewMessages.entity)}</Text.Detail>
          <SelectInput
            name="preview-entity"
            aria-label={intl.formatMessage(previewMessages.entityLabel)}
            horizontalConstraint={5}
            value={entity}
            options={mappedEntities.map((e) => ({ value: e, label: intl.formatMessage(entityMessages[e]) }))}
            onChange={(event) => setEntity(event.target.value as MappedEntity)}
          />
        </label>
        <label>
          <Text.Detail isBold>{intl.formatMessage(previewMessages.sampleIds)}</Text.Detail>
          <TextInput name="sample-ids" value={sampleIds} onChange={(event) => setSampleIds(event.target.value)} horizontalConstraint={10} />
        </label>
        <SecondaryButton label={intl.formatMessage(previewMessages.run)} onClick={preview} isDisabled={props.isDisabled} />
      </Spacings.Inline>
      {props.answer ? (
        props.answer.samples.length === 0 ? (
          <Text.Detail>{intl.formatMessage(previewMessages.none)}</Text.Detail>
        ) : (
          props.answer.samples.map((sample) => <SampleTable key={sample.sourceId} sample={sample} />)
        )
      ) : null}
    </Spacings.Stack>
  );
}
