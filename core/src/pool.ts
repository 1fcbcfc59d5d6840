/** Runs tasks with at most `limit` in flight: writes the API cannot batch, or queries side by side. */
export async function inPool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Queries of one many-ID lookup (links, failure entries, orders or units by customer) in flight at once. */
export const lookupQueriesInFlight = 4;

/** `items` in consecutive slices of at most `size` (the last may be shorter). */
export function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}
