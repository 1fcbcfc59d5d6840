import { z } from "zod";

/**
 * Freshsales' answers, as far as the connector relies on them. IDs are
 * numbers in Freshsales' JSON; the connector keeps them as strings (CRM IDs
 * everywhere else are strings).
 */
export const freshsalesId = z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(String);

const customValues = z.record(z.string(), z.unknown()).nullish().transform((v) => v ?? {});

export const recordSchema = z.looseObject({
  id: freshsalesId,
  /** The user who changed the record last. */
  updater_id: freshsalesId.nullish(),
  custom_field: customValues,
  created_at: z.string(),
  updated_at: z.string(),
});
export type FreshsalesRecord = z.infer<typeof recordSchema>;

export const contactSchema = recordSchema.extend({
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  email: z.string().nullish(),
  work_number: z.string().nullish(),
  tags: z.array(z.string()).nullish(),
  sales_accounts: z.array(z.looseObject({ id: freshsalesId, is_primary: z.boolean().optional() })).nullish(),
});
export type FreshsalesContact = z.infer<typeof contactSchema>;

export const salesAccountSchema = recordSchema.extend({ name: z.string().nullish(), parent_sales_account_id: freshsalesId.nullish() });

export const dealSchema = recordSchema.extend({
  name: z.string().nullish(),
  amount: z.union([z.number(), z.string()]).nullish(),
  deal_stage_id: freshsalesId.nullish(),
  sales_account_id: freshsalesId.nullish(),
  contact_ids: z.array(freshsalesId).nullish(),
  products: z.array(z.looseObject({ id: freshsalesId, sku_number: z.string().nullish(), name: z.string().nullish(), quantity: z.number(), unit_price: z.number().nullish() })).nullish(),
});
export type FreshsalesDeal = z.infer<typeof dealSchema>;

/** A note on a contact, sales account or deal (`targetable_type` Contact, SalesAccount, Deal). */
export const noteSchema = z.looseObject({
  id: freshsalesId,
  description: z.string().nullish(),
  targetable_type: z.string().nullish(),
  targetable_id: freshsalesId.nullish(),
  created_at: z.string(),
});
export type FreshsalesNote = z.infer<typeof noteSchema>;

export const jobAccepted = z.object({ job_id: z.string().min(1) });

const jobResult = z.union([
  z.object({ index: z.number().int(), status: z.literal("success"), id: freshsalesId, action: z.enum(["created", "updated"]) }),
  z.object({ index: z.number().int(), status: z.literal("failure"), errors: z.object({ code: z.number().optional(), message: z.array(z.string()) }) }),
]);
export type JobResult = z.infer<typeof jobResult>;

export const jobStatusSchema = z.object({ job_status: z.object({ id: z.string(), status: z.string(), results: z.array(jobResult) }) });

export const viewsSchema = z.object({ filters: z.array(z.looseObject({ id: freshsalesId, name: z.string(), is_default: z.boolean().optional() })) });

export const fieldsSchema = z.object({ fields: z.array(z.looseObject({ name: z.string() })) });

export const dealStagesSchema = z.object({
  deal_stages: z.array(z.looseObject({ id: freshsalesId, name: z.string(), position: z.number(), forecast_type: z.string().nullish() })),
});

/** A module's list view page: `{<module>: [...], meta: {total_pages}}`. */
export const viewPageSchema = <T extends z.ZodType>(module: string, item: T) =>
  z
    .object({ [module]: z.array(item), meta: z.object({ total_pages: z.number().int() }) } as Record<string, z.ZodType>)
    .transform((page) => ({ items: page[module] as z.infer<T>[], totalPages: (page.meta as { total_pages: number }).total_pages }));
