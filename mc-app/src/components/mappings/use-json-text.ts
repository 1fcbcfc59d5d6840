import { useEffect, useState } from 'react';

/** Whether `text` already says what `compactJson` says, whitespace aside. */
function textSays(text: string, compactJson: string): boolean {
  try {
    return JSON.stringify(JSON.parse(text)) === compactJson;
  } catch {
    return false;
  }
}

/**
 * The text of a JSON field showing `value`. It follows changes made elsewhere
 * (the form, a rollback) but keeps what a person typed when that already says
 * the same, so the text is not re-formatted under the cursor.
 */
export function useJsonText(value: unknown, indent?: number): [string, (text: string) => void] {
  const compact = JSON.stringify(value);
  const [text, setText] = useState(() => JSON.stringify(value, null, indent));
  useEffect(() => {
    setText((typed) => (textSays(typed, compact) ? typed : JSON.stringify(JSON.parse(compact), null, indent)));
  }, [compact, indent]);
  return [text, setText];
}
