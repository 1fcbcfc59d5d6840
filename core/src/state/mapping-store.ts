import { type MappingConfig, type MappingConfigInput, mappingConfigSchema } from "../domain/mapping-config";
import { safeKeyPart } from "../domain/keys";
import { ConcurrentModificationError, type KeyValueStore } from "../ports/key-value-store";
import { containers } from "./containers";

/**
 * The mapping configuration of one connection, versioned, in the
 * `crm-sync-config` container: one head document (current version and the
 * history list) and one document per version, so a rollback is a new version
 * holding an old version's content and nothing is ever lost.
 */
/** `savedBy`: the Merchant Center user's ID (verified by the session); `savedByName`: the name the MC app knew them by. */
export type MappingVersion = { version: number; savedAt: string; savedBy?: string; savedByName?: string };
type Head = { version: number; history: MappingVersion[] };
type Stored = { version: number; config: MappingConfig };

export type CurrentMapping = { current: MappingConfig; version: number; history: MappingVersion[] };

export class MappingStore {
  private cached: { at: number; value: CurrentMapping } | undefined;
  private readonly defaults: MappingConfig;

  constructor(
    private readonly store: KeyValueStore,
    private readonly connection: string,
    /** Version 0: the connector's default, until someone saves. */
    defaults: MappingConfigInput,
    private readonly now: () => Date,
    /** How long the sync path may use a loaded configuration before reading it again. */
    private readonly cacheMs = 30_000,
  ) {
    this.defaults = mappingConfigSchema.parse(defaults);
  }

  private headKey = () => `mapping_${safeKeyPart(this.connection)}`;
  private versionKey = (version: number) => `mapping_${safeKeyPart(this.connection)}_v${version}`;

  /** Version 0 is the validated default for the CRM, until someone saves. */
  async current(): Promise<CurrentMapping> {
    const head = await this.store.get<Head>(containers.config, this.headKey());
    if (!head || head.value.version === 0) return { current: this.defaults, version: 0, history: head?.value.history ?? [] };
    const stored = await this.store.get<Stored>(containers.config, this.versionKey(head.value.version));
    // Stored documents are re-parsed: a document written by an older schema gets today's defaults.
    const current = stored ? mappingConfigSchema.parse(stored.value.config) : this.defaults;
    const value = { current, version: head.value.version, history: head.value.history };
    this.cached = { at: this.now().getTime(), value };
    return value;
  }

  /** For the sync path: the current configuration, re-read at most every `cacheMs`. */
  async config(): Promise<MappingConfig> {
    if (this.cached && this.now().getTime() - this.cached.at < this.cacheMs) return this.cached.value.current;
    const value = await this.current();
    this.cached = { at: this.now().getTime(), value };
    return value.current;
  }

  async version(version: number): Promise<MappingConfig | undefined> {
    if (version === 0) return this.defaults;
    const stored = await this.store.get<Stored>(containers.config, this.versionKey(version));
    return stored ? mappingConfigSchema.parse(stored.value.config) : undefined;
  }

  /** Saves a validated configuration as the next version, with who saved it. */
  async save(config: MappingConfig, savedBy?: string, savedByName?: string): Promise<number> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const head = await this.store.get<Head>(containers.config, this.headKey());
      const version = (head?.value.version ?? 0) + 1;
      const highest = Math.max(version, ...(head?.value.history ?? []).map((h) => h.version + 1));
      const entry: MappingVersion = {
        version: highest,
        savedAt: this.now().toISOString(),
        ...(savedBy ? { savedBy } : {}),
        ...(savedByName ? { savedByName } : {}),
      };
      try {
        // The version document first: a head never points at a version that is not there.
        await this.store.put<Stored>(containers.config, this.versionKey(highest), { version: highest, config });
        await this.store.put<Head>(containers.config, this.headKey(), { version: highest, history: [...(head?.value.history ?? []), entry] }, head?.version);
        this.cached = undefined;
        return highest;
      } catch (error) {
        if (!(error instanceof ConcurrentModificationError)) throw error;
      }
    }
    throw new Error("mapping configuration kept changing under concurrent saves");
  }

  /** Makes an earlier version current again, as a new version. */
  async rollback(version: number, savedBy?: string, savedByName?: string): Promise<number | undefined> {
    const config = await this.version(version);
    if (!config) return undefined;
    return this.save(config, savedBy, savedByName);
  }
}
