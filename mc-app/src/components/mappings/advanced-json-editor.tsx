import { useEffect } from 'react';
import { useIntl } from 'react-intl';
import MultilineTextInput from '@commercetools-uikit/multiline-text-input';
import Spacings from '@commercetools-uikit/spacings';
import Text from '@commercetools-uikit/text';
import { FieldIssues } from './field-issues';
import { isRecord, parseJsonText, type IssuesByPath, type MappingDraft } from './mapping-draft';
import { advancedMessages } from './messages';
import { useJsonText } from './use-json-text';

const isDocument = (value: unknown): value is MappingDraft => isRecord(value);

/** The sections only this editor edits: their problems show under it. */
const sections = ['locale', 'consent', 'segmentation', 'validation', 'inbound', 'schemaVersion', 'crm'] as const;

/**
 * The whole document as JSON, for the sections without a form (consent,
 * segmentation, validation, locale, custom keys). Typed text replaces the
 * document once it reads as a JSON object; until then it is reported
 * (`onUnreadable`), so nothing is saved while the screen shows other text.
 */
export function AdvancedJsonEditor(props: {
  draft: MappingDraft;
  canManage: boolean;
  issues: IssuesByPath;
  onChange: (draft: MappingDraft) => void;
  onUnreadable: (unreadable: boolean) => void;
}) {
  const intl = useIntl();
  const [text, setText] = useJsonText(props.draft, 2);
  const unreadable = parseJsonText(text, isDocument) === undefined;
  const { onUnreadable } = props;
  useEffect(() => {
    onUnreadable(unreadable);
    return () => onUnreadable(false);
  }, [unreadable, onUnreadable]);

  return (
    <Spacings.Stack scale="xs">
      <label htmlFor="mapping-json">
        <Text.Detail isBold>{intl.formatMessage(advancedMessages.label)}</Text.Detail>
      </label>
      <MultilineTextInput
        id="mapping-json"
        name="mapping-json"
        value={text}
        isReadOnly={!props.canManage}
        hasError={unreadable}
        defaultExpandMultilineText
        onChange={(event) => {
          const next = event.target.value ?? '';
          setText(next);
          const typed = parseJsonText(next, isDocument);
          if (typed) props.onChange(typed);
        }}
      />
      <FieldIssues issues={props.issues} path={[]} />
      {sections.map((section) => (
        <FieldIssues key={section} issues={props.issues} path={[section]} within />
      ))}
    </Spacings.Stack>
  );
}
