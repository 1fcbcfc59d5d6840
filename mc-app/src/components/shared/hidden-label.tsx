import type { ReactNode } from 'react';

/**
 * Names an input for screen readers (and tests) where a visible label would
 * repeat the table's column header: uikit's TextInput does not pass `aria-label` on.
 */
export function HiddenLabel({ text, children }: { text: string; children: ReactNode }) {
  return (
    <label>
      <span style={{ position: 'absolute', left: -10000 }}>{text}</span>
      {children}
    </label>
  );
}
