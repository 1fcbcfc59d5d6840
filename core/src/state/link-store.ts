import type { FromCrm } from "../domain/inbound";
import { linkKey } from "../domain/keys";
import type { WrittenKind } from "../domain/model";
import { ConcurrentModificationError, type KeyValueStore, type Versioned } from "../ports/key-value-store";
import { predicate } from "../ports/predicate";
import { containers } from "./containers";

/** What we know of one record's last successful sync to one CRM connection. */
export type SyncLink = {
  connection: string;
  entity: WrittenKind;
  sourceId: string;
  crmId: string;
  /** Version of the commercetools resource last written. */
  sourceVersion: number;
  /** Hash of the mapped values last written: equal hash, nothing to write. */
  hash: string;
  /** The mapped values last written, per field (ownership and echo detection). */
  written: Record<string, unknown>;
  syncedAt: string;
  correlationId: string;
  /** What was last applied from the CRM (CRM → commercetools): its modification time and the CRM-only values. */
  fromCrm?: FromCrm;
};

/**
 * Who a guest (orders with only an email) is, as a reviewer decided an
 * ambiguous match: a synced person (`person`), or a record of their own (no
 * `person`). Kept beside the links, never as one: the guest's own link (if any)
 * and the person's link stay what the CRM holds.
 */
export type GuestIdentity = {
  connection: string;
  guestSourceId: string;
  person?: { sourceId: string; crmId: string };
  /** The order whose review took the decision. */
  orderId: string;
  /** The Merchant Center user: the session's verified ID, and the name the app showed them by. */
  decidedBy: { userId: string; name?: string };
  decidedAt: string;
};

/** The hash of a link whose record the CRM may hold in another state: equal to no record's hash. */
export const unsettledHash = "unsettled";

/**
 * Whether `current` records a CRM write made since `known` by another outbound
 * writer (or a race they marked unsettled). The inbound side's record of what
 * the CRM holds changes `written`, `hash` and `fromCrm` only, and starts a
 * link it did not find at source version 0.
 */
function outboundWriteSince(known: SyncLink | undefined, current: SyncLink): boolean {
  if (current.hash === unsettledHash) return true;
  if (!known) return current.sourceVersion > 0;
  return current.sourceVersion !== known.sourceVersion || current.syncedAt !== known.syncedAt || current.crmId !== known.crmId;
}

export class LinkStore {
  constructor(
    private readonly store: KeyValueStore,
    readonly connection: string,
  ) {}

  key(entity: WrittenKind, sourceId: string): string {
    return linkKey(this.connection, entity, sourceId);
  }

  get(entity: WrittenKind, sourceId: string): Promise<Versioned<SyncLink> | undefined> {
    return this.store.get<SyncLink>(containers.links, this.key(entity, sourceId));
  }

  /** Links by source ID. */
  async getMany(entity: WrittenKind, sourceIds: string[]): Promise<Map<string, Versioned<SyncLink>>> {
    const byKey = await this.store.getMany<SyncLink>(containers.links, sourceIds.map((id) => this.key(entity, id)));
    const bySource = new Map<string, Versioned<SyncLink>>();
    for (const entry of byKey.values()) bySource.set(entry.value.sourceId, entry);
    return bySource;
  }

  /**
   * The link of the record the CRM holds under `crmId` (the reverse lookup of
   * inbound changes). Several links for one CRM record (a merge in the CRM)
   * answer the most recently synced.
   */
  async byCrmId(entity: WrittenKind, crmId: string): Promise<Versioned<SyncLink> | undefined> {
    const { items } = await this.store.list<SyncLink>(containers.links, {
      where: predicate`value(connection = ${this.connection} and entity = ${entity} and crmId = ${crmId})`,
      sort: ["value.syncedAt desc"],
      limit: 1,
    });
    return items[0];
  }

  private identityKey(guestSourceId: string): string {
    return `${this.key("person", guestSourceId)}_identity`;
  }

  /** The reviewer's decision of who this guest is, if one was taken. */
  async guestIdentity(guestSourceId: string): Promise<GuestIdentity | undefined> {
    return (await this.store.get<GuestIdentity>(containers.links, this.identityKey(guestSourceId)))?.value;
  }

  /** Records a reviewer's decision of who a guest is; a later decision replaces it. */
  async saveGuestIdentity(identity: GuestIdentity): Promise<void> {
    const key = this.identityKey(identity.guestSourceId);
    const current = await this.store.get<GuestIdentity>(containers.links, key);
    await this.store.put(containers.links, key, identity, current?.version);
  }

  /**
   * Read-modify-write of one record's link: `change` gets the current link
   * (undefined when there is none) and answers the new one, or undefined to
   * leave it; re-run on a concurrent write, so nothing another writer saved
   * in between is lost.
   */
  async update(entity: WrittenKind, sourceId: string, change: (current: SyncLink | undefined) => SyncLink | undefined): Promise<void> {
    const key = this.key(entity, sourceId);
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.store.get<SyncLink>(containers.links, key);
      const next = change(current?.value);
      if (!next) return;
      try {
        await this.store.put(containers.links, key, next, current?.version);
        return;
      } catch (error) {
        if (!(error instanceof ConcurrentModificationError)) throw error;
      }
    }
    throw new Error(`link ${key} kept changing under concurrent writers`);
  }

  /**
   * Saves the link of a CRM write that was decided on `known` (the link read
   * before the write; undefined: there was none), only if no other outbound
   * writer saved this record's link since. When one did, nothing is saved and
   * theirs is answered: the two CRM writes may have landed in either order.
   * The inbound side's record of what the CRM holds (it keeps the rest of the
   * link as it was) is not such a write: ours is saved over it, keeping it.
   */
  async saveAfterWrite(link: SyncLink, known: Versioned<SyncLink> | undefined): Promise<{ saved: true } | { saved: false; current: Versioned<SyncLink> | undefined }> {
    const key = this.key(link.entity, link.sourceId);
    let base = known;
    for (let attempt = 0; attempt < 5; attempt++) {
      // Outbound writers know nothing of the inbound record: it stays with the link.
      const fromCrm = link.fromCrm ?? base?.value.fromCrm;
      try {
        await this.store.put(containers.links, key, fromCrm ? { ...link, fromCrm } : link, base?.version);
        return { saved: true };
      } catch (error) {
        if (!(error instanceof ConcurrentModificationError)) throw error;
      }
      const current = await this.store.get<SyncLink>(containers.links, key);
      if (!current || outboundWriteSince(known?.value, current.value)) return { saved: false, current };
      base = current;
    }
    throw new Error(`link ${key} kept changing under concurrent writers`);
  }

  /**
   * Marks a record's link as not known to match the CRM (writers raced: the
   * CRM holds one of their writes, nobody knows which), so the next sync writes
   * the record whatever its hash. The source version only moves up.
   */
  async markUnsettled(entity: WrittenKind, sourceId: string, sourceVersion: number): Promise<void> {
    const key = this.key(entity, sourceId);
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.store.get<SyncLink>(containers.links, key);
      if (!current) return; // no link: the next sync writes anyway
      const value = { ...current.value, hash: unsettledHash, sourceVersion: Math.max(current.value.sourceVersion, sourceVersion) };
      try {
        await this.store.put(containers.links, key, value, current.version);
        return;
      } catch (error) {
        if (!(error instanceof ConcurrentModificationError)) throw error;
      }
    }
    throw new Error(`link ${key} kept changing under concurrent writers`);
  }

  /**
   * Saves a link unless a newer one is already there. On a concurrent write the
   * current link is re-read and the decision taken again: the higher source
   * version wins, so a slow writer never rolls a link back.
   */
  async save(link: SyncLink, known?: Versioned<SyncLink>): Promise<void> {
    const key = this.key(link.entity, link.sourceId);
    let current = known;
    for (let attempt = 0; attempt < 5; attempt++) {
      if (current && current.value.sourceVersion > link.sourceVersion) return;
      // Outbound writers know nothing of the inbound record: it stays with the link.
      const fromCrm = link.fromCrm ?? current?.value.fromCrm;
      try {
        await this.store.put(containers.links, key, fromCrm ? { ...link, fromCrm } : link, current?.version);
        return;
      } catch (error) {
        if (!(error instanceof ConcurrentModificationError)) throw error;
        current = await this.store.get<SyncLink>(containers.links, key);
      }
    }
    throw new Error(`link ${key} kept changing under concurrent writers`);
  }
}
