/** The failures list with these filters: the failures page reads them from its URL, so the link works in a fresh session too. */
export const failuresLink = (failuresUrl: string, filters: Record<string, string>): string =>
  `${failuresUrl}?${new URLSearchParams(filters).toString()}`;
