import Text from '@commercetools-uikit/text';
import { pathKey, type IssuesByPath } from './mapping-draft';

/** The schema's messages for exactly one path, shown under the input that holds it. */
export function FieldIssues({ issues, path }: { issues: IssuesByPath; path: readonly (string | number)[] }) {
  const key = pathKey(path);
  const messages = issues.get(key);
  if (!messages) return null;
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
