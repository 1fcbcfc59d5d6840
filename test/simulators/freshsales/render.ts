import type { Email, FreshsalesStore, ModuleName, ProductLine, StoredRecord } from "./store";

/**
 * A record as Freshsales answers it: standard fields, every custom field of
 * the module under `custom_field` (null when unset), timestamps. Contacts
 * carry `email` (the primary one) beside `emails`; deals carry their
 * contacts' IDs and, with `include=products`, their product lines.
 */
export function render(store: FreshsalesStore, module: ModuleName, record: StoredRecord, include: string[] = []): Record<string, unknown> {
  const { contacts_added_list: _writeOnly, products: lines, ...values } = record.values;
  const custom = Object.fromEntries(store.customFields[module].map((f) => [f.name, record.custom[f.name] ?? null]));
  // Unset standard fields are answered as null, like unset custom ones; write-only lists are not answered.
  const unset = Object.fromEntries(store.fieldsOf(module).flatMap((f) => (f.custom || f.name === "contacts_added_list" || f.name === "products" ? [] : [[f.name, null]])));
  const base: Record<string, unknown> = {
    ...{ id: record.id, ...unset, ...values, tags: values.tags ?? [], custom_field: custom },
    ...{ creater_id: record.createrId, updater_id: record.updaterId, created_at: record.created_at, updated_at: record.updated_at },
  };
  switch (module) {
    case "contacts": {
      const emails = (values.emails as Email[] | undefined) ?? [];
      const accounts = ((values.sales_accounts as number[] | undefined) ?? []).map((id, i) => ({ id, name: store.get("sales_accounts", id)?.values.name ?? null, is_primary: i === 0 }));
      const name = [values.first_name, values.last_name].filter((p) => typeof p === "string" && p !== "").join(" ");
      return { ...base, display_name: name || emails[0]?.value || null, email: emails.find((e) => e.is_primary)?.value ?? null, emails, sales_accounts: accounts };
    }
    case "sales_accounts":
      return base;
    case "deals": {
      const deal = { ...base, contact_ids: values.contact_ids ?? [] };
      if (!include.includes("products")) return deal;
      const products = ((lines as ProductLine[] | undefined) ?? []).map((line) => {
        const product = store.products.get(line.product_id);
        return { id: line.product_id, name: product?.name ?? null, sku_number: product?.sku_number ?? null, quantity: line.quantity, unit_price: Number.isNaN(line.unit_price) ? (product?.unit_price ?? null) : line.unit_price };
      });
      return { ...deal, products };
    }
  }
}
