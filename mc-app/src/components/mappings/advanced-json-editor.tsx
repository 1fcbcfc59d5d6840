import { useEffect, useState } from 'react';
import MultilineTextInput from '@commercetools-uikit/multiline-text-input';
import Spacings from '@commercetools-uikit/spacings';
import Text from '@commercetools-uikit/text';
import { textSays, type MappingDraft } from './mapping-draft';

type Parsed = { draft: MappingDraft; error?: undefined } | { draft?: undefined; error: string };

function parseDocument(text: string): Parsed {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'The mapping must be a JSON object.' };
    return { draft: value as MappingDraft };
  } catch (caught) {
    return { error: `Not valid JSON: ${caught instanceof Error ? caught.message : String(caught)}` };
  }
}

/**
 * The whole document as JSON, for the sections without a form (consent,
 * segmentation, validation, locale, custom keys). The text follows the form's
 * edits; typed text replaces the document once it parses as a JSON object.
 */
export function AdvancedJsonEditor(props: { draft: MappingDraft; canManage: boolean; onChange: (draft: MappingDraft) => void }) {
  const compact = JSON.stringify(props.draft);
  const [text, setText] = useState(() => JSON.stringify(props.draft, null, 2));
  useEffect(() => {
    setText((typed) => (textSays(typed, compact) ? typed : JSON.stringify(JSON.parse(compact), null, 2)));
  }, [compact]);
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
          if (typed.draft) props.onChange(typed.draft);
        }}
      />
      {parsed.error ? <Text.Detail tone="critical">{parsed.error}</Text.Detail> : null}
    </Spacings.Stack>
  );
}
