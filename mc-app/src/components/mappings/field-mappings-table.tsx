import DataTable, { type TColumn } from '@commercetools-uikit/data-table';
import FlatButton from '@commercetools-uikit/flat-button';
import SecondaryButton from '@commercetools-uikit/secondary-button';
import SelectInput from '@commercetools-uikit/select-input';
import Spacings from '@commercetools-uikit/spacings';
import Text from '@commercetools-uikit/text';
import TextInput from '@commercetools-uikit/text-input';
import { HiddenLabel } from '../shared/hidden-label';
import { FieldIssues } from './field-issues';
import {
  owners,
  parseJsonText,
  pathKey,
  summariseTransforms,
  type FieldMappingDraft,
  type FieldOwner,
  type IssuesByPath,
  type MappedEntity,
  type TransformDraft,
} from './mapping-draft';
import { useJsonText } from './use-json-text';

type Row = { id: string; index: number; field: FieldMappingDraft };

const ownerOptions = owners.map((owner) => ({ value: owner, label: owner }));
const newField: FieldMappingDraft = { source: '', target: '', transform: [], owner: 'commercetools' };

const isTransformList = (value: unknown): value is TransformDraft[] => Array.isArray(value);
const parseTransforms = (text: string) => parseJsonText(text, isTransformList, 'must be a JSON array of transforms');

/**
 * The transforms of one field as compact JSON, with a readable summary above.
 * The field changes only when the text parses as a JSON array (the schema
 * checks each transform).
 */
function TransformsInput(props: {
  label: string;
  value: TransformDraft[] | undefined;
  isReadOnly: boolean;
  onChange: (transforms: TransformDraft[]) => void;
}) {
  const [text, setText] = useJsonText(props.value ?? []);
  const parsed = parseTransforms(text);
  return (
    <Spacings.Stack scale="xs">
      <Text.Detail>{summariseTransforms(props.value)}</Text.Detail>
      <HiddenLabel text={props.label}>
        <TextInput
          name={props.label}
          value={text}
          isReadOnly={props.isReadOnly}
          hasError={parsed.error !== undefined}
          onChange={(event) => {
            setText(event.target.value);
            // Half-typed JSON leaves the field as it was until the text parses.
            const typed = parseTransforms(event.target.value);
            if (typed.value) props.onChange(typed.value);
          }}
        />
      </HiddenLabel>
      {parsed.error ? <Text.Detail tone="critical">{parsed.error}</Text.Detail> : null}
    </Spacings.Stack>
  );
}

/** Field mappings of one entity: source → target, transforms and who owns the field. */
export function FieldMappingsTable(props: {
  entity: MappedEntity;
  fields: FieldMappingDraft[];
  issues: IssuesByPath;
  canManage: boolean;
  onChange: (fields: FieldMappingDraft[]) => void;
}) {
  const { entity, fields, issues, canManage } = props;
  const path = (index: number, key: string) => ['entities', entity, 'fields', index, key];
  const label = (index: number, key: string) => `${entity} field ${index + 1} ${key}`;
  const update = (index: number, change: Partial<FieldMappingDraft>) =>
    props.onChange(fields.map((field, i) => (i === index ? { ...field, ...change } : field)));
  const rows: Row[] = fields.map((field, index) => ({ id: String(index), index, field }));

  const columns: TColumn<Row>[] = [
    { key: 'source', label: 'commercetools source' },
    { key: 'target', label: 'CRM field' },
    { key: 'transform', label: 'Transforms' },
    { key: 'owner', label: 'Owner' },
    ...(canManage ? [{ key: 'remove', label: '' }] : []),
  ];
  const renderItem = ({ index, field }: Row, column: TColumn<Row>) => {
    switch (column.key) {
      case 'source':
      case 'target':
        return (
          <Spacings.Stack scale="xs">
            <HiddenLabel text={label(index, column.key)}>
              <TextInput
                name={label(index, column.key)}
                value={typeof field[column.key] === 'string' ? field[column.key] : ''}
                isReadOnly={!canManage}
                hasError={issues.has(pathKey(path(index, column.key)))}
                onChange={(event) => update(index, { [column.key]: event.target.value })}
              />
            </HiddenLabel>
            <FieldIssues issues={issues} path={path(index, column.key)} />
          </Spacings.Stack>
        );
      case 'transform':
        return (
          <Spacings.Stack scale="xs">
            <TransformsInput
              label={label(index, 'transforms')}
              value={field.transform}
              isReadOnly={!canManage}
              onChange={(transform) => update(index, { transform })}
            />
            <FieldIssues issues={issues} path={path(index, 'transform')} />
          </Spacings.Stack>
        );
      case 'owner':
        return (
          <div data-testid={`owner-${entity}-${index + 1}`}>
            <SelectInput
              name={label(index, 'owner')}
              aria-label={label(index, 'owner')}
              horizontalConstraint={5}
              value={field.owner ?? 'commercetools'}
              options={ownerOptions}
              isReadOnly={!canManage}
              onChange={(event) => update(index, { owner: event.target.value as FieldOwner })}
            />
            <FieldIssues issues={issues} path={path(index, 'owner')} />
          </div>
        );
      case 'remove':
        return <FlatButton label={`Remove ${label(index, '').trim()}`} onClick={() => props.onChange(fields.filter((_, i) => i !== index))} />;
      default:
        return null;
    }
  };

  return (
    <Spacings.Stack scale="s">
      {rows.length === 0 ? (
        <Text.Detail tone="secondary">{`No extra ${entity} fields: the adapter writes its standard fields only.`}</Text.Detail>
      ) : (
        <DataTable<Row> rows={rows} columns={columns} itemRenderer={renderItem} />
      )}
      <FieldIssues issues={issues} path={['entities', entity, 'fields']} />
      {canManage ? (
        <div>
          <SecondaryButton label={`Add ${entity} field`} onClick={() => props.onChange([...fields, newField])} />
        </div>
      ) : null}
    </Spacings.Stack>
  );
}
