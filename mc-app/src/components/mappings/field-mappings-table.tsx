import { useEffect } from 'react';
import { useIntl } from 'react-intl';
import DataTable, { type TColumn } from '@commercetools-uikit/data-table';
import FlatButton from '@commercetools-uikit/flat-button';
import SecondaryButton from '@commercetools-uikit/secondary-button';
import SelectInput from '@commercetools-uikit/select-input';
import Spacings from '@commercetools-uikit/spacings';
import Text from '@commercetools-uikit/text';
import TextInput from '@commercetools-uikit/text-input';
import { HiddenLabel } from '../shared/hidden-label';
import { FieldIssues, hasIssues } from './field-issues';
import {
  owners,
  parseJsonText,
  summariseTransforms,
  type FieldMappingDraft,
  type FieldOwner,
  type IssuesByPath,
  type MappedEntity,
  type TransformDraft,
} from './mapping-draft';
import { fieldsMessages } from './messages';
import { useJsonText } from './use-json-text';

type Row = { id: string; index: number; field: FieldMappingDraft };
type Path = (string | number)[];

const ownerOptions = owners.map((owner) => ({ value: owner, label: owner }));
const newField: FieldMappingDraft = { source: '', target: '', transform: [], owner: 'commercetools' };

const isTransformList = (value: unknown): value is TransformDraft[] => Array.isArray(value);

/**
 * The transforms of one field as JSON, with a readable summary above. Text
 * that does not read as a list of transforms leaves the field as it was and is
 * reported (`onUnreadable`), so the page refuses to save while the screen
 * shows something the document does not hold; the schema checks each
 * transform that does read.
 */
function TransformsInput(props: {
  label: string;
  path: Path;
  value: TransformDraft[] | undefined;
  isReadOnly: boolean;
  hasError: boolean;
  onChange: (transforms: TransformDraft[]) => void;
  onUnreadable: (path: Path, unreadable: boolean) => void;
}) {
  const intl = useIntl();
  const [text, setText] = useJsonText(props.value ?? []);
  const unreadable = parseJsonText(text, isTransformList) === undefined;
  const { onUnreadable, path } = props;
  const key = path.join('.');
  useEffect(() => {
    onUnreadable(path, unreadable);
    // The row may go (removed) while its text is unreadable: it takes its problem with it.
    return () => onUnreadable(path, false);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, unreadable, onUnreadable]);
  return (
    <Spacings.Stack scale="xs">
      {unreadable ? null : <Text.Detail>{summariseTransforms(intl, props.value)}</Text.Detail>}
      <HiddenLabel text={props.label}>
        <TextInput
          name={props.label}
          value={text}
          isReadOnly={props.isReadOnly}
          hasError={unreadable || props.hasError}
          onChange={(event) => {
            setText(event.target.value);
            const typed = parseJsonText(event.target.value, isTransformList);
            if (typed) props.onChange(typed);
          }}
        />
      </HiddenLabel>
    </Spacings.Stack>
  );
}

/** Which way a field's value travels, by its owner (the same rules the sync applies in both directions). */
const directionMessage: Record<FieldOwner, (typeof fieldsMessages)['directionOut']> = {
  commercetools: fieldsMessages.directionOut,
  crm: fieldsMessages.directionIn,
  'first-write': fieldsMessages.directionOnce,
};

/** Field mappings of one entity: source → target, transforms, who owns the field and so which way it travels. */
export function FieldMappingsTable(props: {
  entity: MappedEntity;
  /** The CRM's name, as the service names it. */
  crm: string;
  fields: FieldMappingDraft[];
  issues: IssuesByPath;
  canManage: boolean;
  onChange: (fields: FieldMappingDraft[]) => void;
  onUnreadableTransforms: (path: Path, unreadable: boolean) => void;
}) {
  const intl = useIntl();
  const { entity, fields, issues, canManage } = props;
  const path = (index: number, key: string): Path => ['entities', entity, 'fields', index, key];
  const label = (index: number, part: string) => intl.formatMessage(fieldsMessages.label, { entity, number: index + 1, part });
  const update = (index: number, change: Partial<FieldMappingDraft>) =>
    props.onChange(fields.map((field, i) => (i === index ? { ...field, ...change } : field)));
  const rows: Row[] = fields.map((field, index) => ({ id: String(index), index, field }));

  const columns: TColumn<Row>[] = [
    { key: 'source', label: intl.formatMessage(fieldsMessages.source) },
    { key: 'target', label: intl.formatMessage(fieldsMessages.target) },
    { key: 'transform', label: intl.formatMessage(fieldsMessages.transforms) },
    { key: 'owner', label: intl.formatMessage(fieldsMessages.owner) },
    { key: 'direction', label: intl.formatMessage(fieldsMessages.direction) },
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
                hasError={hasIssues(issues, path(index, column.key))}
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
              path={path(index, 'transform')}
              value={field.transform}
              isReadOnly={!canManage}
              hasError={hasIssues(issues, path(index, 'transform'), true)}
              onChange={(transform) => update(index, { transform })}
              onUnreadable={props.onUnreadableTransforms}
            />
            <FieldIssues issues={issues} path={path(index, 'transform')} within />
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
      case 'direction': {
        const owner = owners.includes(field.owner as FieldOwner) ? (field.owner as FieldOwner) : 'commercetools';
        return (
          <div data-testid={`direction-${entity}-${index + 1}`}>
            <Text.Detail>{intl.formatMessage(directionMessage[owner], { crm: props.crm })}</Text.Detail>
          </div>
        );
      }
      case 'remove':
        return (
          <FlatButton
            label={intl.formatMessage(fieldsMessages.remove, { entity, number: index + 1 })}
            onClick={() => props.onChange(fields.filter((_, i) => i !== index))}
          />
        );
      default:
        return null;
    }
  };

  return (
    <Spacings.Stack scale="s">
      {rows.length === 0 ? (
        <Text.Detail tone="secondary">{intl.formatMessage(fieldsMessages.none, { entity })}</Text.Detail>
      ) : (
        <DataTable<Row> rows={rows} columns={columns} itemRenderer={renderItem} />
      )}
      <FieldIssues issues={issues} path={['entities', entity, 'fields']} />
      {canManage ? (
        <div>
          <SecondaryButton label={intl.formatMessage(fieldsMessages.add, { entity })} onClick={() => props.onChange([...fields, newField])} />
        </div>
      ) : null}
    </Spacings.Stack>
  );
}
