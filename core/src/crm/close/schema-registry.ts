import type { CallContext } from "../../ports/crm-outbound";
import {
  contactFields,
  leadFields,
  orderActivityTypeName,
  orderFields,
  type CloseSchema,
  type FieldIds,
} from "./field-names";
import type { CloseHttp } from "./http";
import { listAll } from "./paging";
import { customActivityTypeSchema, customFieldSchema, listSchema, type CloseCustomField } from "./schemas";

type Definitions = Record<string, { name: string; type: string }>;
type Named = { id: string; name: string; date_created?: string | undefined };

/** Several with one name (two processes created it at once): everyone adopts the oldest. */
function oldestNamed<T extends Named>(items: T[], name: string): T | undefined {
  return items
    .filter((i) => i.name === name)
    .sort((a, b) => (a.date_created ?? "").localeCompare(b.date_created ?? "") || a.id.localeCompare(b.id))[0];
}

/**
 * Finds the adapter's custom fields and the order activity type by name and
 * creates what is missing (`ensureSchema`). After creating, it lists again and
 * adopts the oldest of a name, so concurrent first runs converge on one field.
 * The answer is cached for the adapter's life; a failure is not cached.
 */
export class SchemaRegistry {
  private pending: Promise<CloseSchema> | undefined;

  constructor(private readonly http: CloseHttp) {}

  get(ctx: CallContext): Promise<CloseSchema> {
    this.pending ??= this.load(ctx).catch((error: unknown) => {
      this.pending = undefined;
      throw error;
    });
    return this.pending;
  }

  private async load(ctx: CallContext): Promise<CloseSchema> {
    const lead = await this.fields(ctx, "/custom_field/lead/", leadFields, {});
    const contact = await this.fields(ctx, "/custom_field/contact/", contactFields, {});
    const orderActivityTypeId = await this.activityType(ctx);
    const order = await this.fields(ctx, "/custom_field/activity/", orderFields, { custom_activity_type_id: orderActivityTypeId });
    return { lead, contact, order, orderActivityTypeId };
  }

  private async fields<D extends Definitions>(
    ctx: CallContext,
    path: string,
    definitions: D,
    extra: { custom_activity_type_id?: string },
  ): Promise<FieldIds<D>> {
    const inScope = (f: CloseCustomField) =>
      extra.custom_activity_type_id === undefined || f.custom_activity_type_id === extra.custom_activity_type_id;
    let existing = (await listAll(this.http, ctx, path, customFieldSchema)).filter(inScope);
    const missing = Object.values(definitions).filter((d) => !oldestNamed(existing, d.name));
    if (missing.length > 0) {
      for (const d of missing) await this.http.request(ctx, "POST", path, customFieldSchema, { body: { name: d.name, type: d.type, ...extra } });
      existing = (await listAll(this.http, ctx, path, customFieldSchema)).filter(inScope);
    }
    const ids = {} as Record<string, string>;
    for (const [key, d] of Object.entries(definitions)) {
      const found = oldestNamed(existing, d.name);
      if (!found) throw new Error(`Close custom field ${d.name} missing after creation`);
      ids[key] = found.id;
    }
    return ids as FieldIds<D>;
  }

  private async activityType(ctx: CallContext): Promise<string> {
    // The published spec gives this list no paging parameters: one call returns all types.
    const list = () => this.http.request(ctx, "GET", "/custom_activity/", listSchema(customActivityTypeSchema));
    let found = oldestNamed((await list()).data, orderActivityTypeName);
    if (!found) {
      await this.http.request(ctx, "POST", "/custom_activity/", customActivityTypeSchema, {
        body: { name: orderActivityTypeName, description: "Orders synced from commercetools" },
      });
      found = oldestNamed((await list()).data, orderActivityTypeName);
    }
    if (!found) throw new Error("Close custom activity type missing after creation");
    return found.id;
  }
}
