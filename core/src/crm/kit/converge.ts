/** Oldest first (creation time, then ID): every writer, in every process, picks the same survivor. */
export function oldestFirst<C extends { id: string }>(items: readonly C[], createdAt: (item: C) => string | undefined): C[] {
  const time = (item: C) => Date.parse(createdAt(item) ?? "") || 0;
  return [...items].sort(
    (a, b) => time(a) - time(b) || (createdAt(a) ?? "").localeCompare(createdAt(b) ?? "") || a.id.localeCompare(b.id),
  );
}

/** How one CRM finds, creates and removes the record of a key, for CRMs without upsert or unique keys. */
export type ConvergeSteps<C extends { id: string }> = {
  /** What the CRM holds now for each of these keys (one request for all of them where the CRM allows). */
  find(keys: string[]): Promise<Map<string, C[]>>;
  create(key: string): Promise<C>;
  createdAt(candidate: C): string | undefined;
  /** Moves what hangs off a duplicate onto the survivor before the duplicate goes (a company's people). */
  absorb?(duplicate: C, survivor: C, key: string): Promise<void>;
  /** Deletes a duplicate; one already gone is not an error (another writer converged first). Absent: duplicates stay, unused. */
  remove?(duplicate: C, survivor: C, key: string): Promise<void>;
  /** Brings the survivor up to date when this writer did not just create it (found, or another writer's won). */
  update?(survivor: C, duplicates: C[], key: string): Promise<void>;
};

/** The record kept, whether this writer created it, and the key's other records (removed, where the CRM removes). */
export type Converged<C> = { survivor: C; created: boolean; duplicates: C[] };

/** Runs one key's steps; a caller that keeps per-key failures apart records them here and returns normally. */
export type KeyGuard = (key: string, step: () => Promise<void>) => Promise<void>;

/**
 * Find → create what is missing → re-check → keep the oldest → remove the
 * others. Find-then-create races between writers; every writer that created
 * looks again afterwards, and all of them keep the oldest record and remove
 * the rest, so they converge on one record. Keys are found together and
 * re-checked together (one find for the keys created). A key whose guard kept
 * a failure apart has no entry in the answer. (A search that lags may not
 * show our own record yet: it then survives until a later write converges.)
 */
export async function convergeAll<C extends { id: string }>(
  keys: string[],
  steps: ConvergeSteps<C>,
  guard: KeyGuard = (_key, step) => step(),
): Promise<Map<string, Converged<C>>> {
  const results = new Map<string, Converged<C>>();
  const keep = async (key: string, [survivor, ...others]: C[], ours: C | undefined) => {
    for (const duplicate of others) {
      await steps.absorb?.(duplicate, survivor!, key);
      await steps.remove?.(duplicate, survivor!, key);
    }
    const created = survivor!.id === ours?.id;
    if (!created) await steps.update?.(survivor!, others, key);
    results.set(key, { survivor: survivor!, created, duplicates: others });
  };

  const found = keys.length > 0 ? await steps.find(keys) : new Map<string, C[]>();
  const ours = new Map<string, C>();
  for (const key of keys) {
    await guard(key, async () => {
      const held = oldestFirst(found.get(key) ?? [], steps.createdAt);
      if (held.length > 0) await keep(key, held, undefined);
      else ours.set(key, await steps.create(key));
    });
  }
  if (ours.size === 0) return results;
  const after = await steps.find([...ours.keys()]);
  for (const [key, mine] of ours) {
    await guard(key, async () => {
      const held = oldestFirst(after.get(key) ?? [], steps.createdAt);
      await keep(key, held.length > 0 ? held : [mine], mine);
    });
  }
  return results;
}

/** `convergeAll` for one key. */
export async function converge<C extends { id: string }>(
  steps: Omit<ConvergeSteps<C>, "find" | "create"> & { find(): Promise<C[]>; create(): Promise<C> },
): Promise<Converged<C>> {
  const key = "";
  const results = await convergeAll([key], { ...steps, find: async () => new Map([[key, await steps.find()]]), create: () => steps.create() });
  return results.get(key)!;
}
