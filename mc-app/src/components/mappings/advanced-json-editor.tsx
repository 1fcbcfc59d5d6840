import MultilineTextInput from '@commercetools-uikit/multiline-text-input';
import Spacings from '@commercetools-uikit/spacings';
import Text from '@commercetools-uikit/text';
import { isRecord, parseJsonText, type MappingDraft } from './mapping-draft';
import { useJsonText } from './use-json-text';

const isDocument = (value: unknown): value is MappingDraft => isRecord(value);
const parseDocument = (text: string) => parseJsonText(text, isDocument, 'The mapping must be a JSON object.');

/**
 * The whole document as JSON, for the sections without a form (consent,
 * segmentation, validation, locale, custom keys). Typed text replaces the
 * document once it parses as a JSON object.
 */
export function AdvancedJsonEditor(props: { draft: MappingDraft; canManage: boolean; onChange: (draft: MappingDraft) => void }) {
  const [text, setText] = useJsonText(props.draft, 2);
  const parsed = parseDocument(text);

  return (
    <Spacings.Stack scale="xs">
      <label htmlFor="mapping-json">
        <Text.Detail isBold>Mapping configuration (JSON)</Text.Detail>
      </label>
      <MultilineTextInput
        id="mapping-json"
        name="mapping-json"
        value={text}
        isReadOnly={!props.canManage}
        hasError={parsed.error !== undefined}
        defaultExpandMultilineText
        onChange={(event) => {
          const next = event.target.value ?? '';
          setText(next);
          const typed = parseDocument(next);
          if (typed.value) props.onChange(typed.value);
        }}
      />
      {parsed.error ? <Text.Detail tone="critical">{parsed.error}</Text.Detail> : null}
    </Spacings.Stack>
  );
}
