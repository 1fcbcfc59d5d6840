import Text from '@commercetools-uikit/text';
import { pathKey } from './draft-issues';
import type { IssuesByPath } from './mapping-draft';

/**
 * The problems at one path, under the input that holds it; with `within`,
 * also those deeper inside it (a transform's settings show at its field).
 */
export function FieldIssues({ issues, path, within = false }: { issues: IssuesByPath; path: readonly (string | number)[]; within?: boolean }) {
  const key = pathKey(path);
  const messages = [...issues.entries()].filter(([at]) => at === key || (within && at.startsWith(`${key}.`))).flatMap(([, words]) => words);
  if (messages.length === 0) return null;
  return (
    <div data-testid={`issues-${key}`}>
      {messages.map((message) => (
        <Text.Detail key={message} tone="critical">
          {message}
        </Text.Detail>
      ))}
    </div>
  );
}

/** Whether any problem sits at the path (or inside it, with `within`): the input shows as in error. */
export function hasIssues(issues: IssuesByPath, path: readonly (string | number)[], within = false): boolean {
  const key = pathKey(path);
  return [...issues.keys()].some((at) => at === key || (within && at.startsWith(`${key}.`)));
}
