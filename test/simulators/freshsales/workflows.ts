import { z } from "zod";
import { render } from "./render";
import { modules, singularOf, type FreshsalesStore, type ModuleName, type StoredRecord } from "./store";

/**
 * Freshsales workflows with a "Trigger Webhook" action, as an admin sets
 * them up: a module, the events that trigger them (a record created,
 * updated), the URL, custom headers and a JSON template with placeholders
 * such as `{{contact.id}}` (custom fields by their `cf_` name). Changes made
 * through the API trigger them like changes made by hand.
 */
export const workflowSpecSchema = z.object({
  module: z.enum(modules),
  on: z.array(z.enum(["created", "updated"])).min(1).default(["created", "updated"]),
  url: z.url(),
  headers: z.record(z.string(), z.string()).default({}),
  template: z.string().min(2),
});
export type WorkflowSpec = z.input<typeof workflowSpecSchema>;
type Workflow = z.infer<typeof workflowSpecSchema> & { id: number };

export type WorkflowDelivery = { workflowId: number; module: ModuleName; recordId: number; url: string; status: number | "unreachable"; body: string };

const placeholder = /\{\{\s*([a-z_]+)\.([a-z0-9_]+)\s*\}\}/g;

/** A value placed inside the template's JSON string quotes: escaped as JSON string content; lists joined. */
function asTemplateText(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = Array.isArray(value) ? value.map((v) => (typeof v === "object" ? JSON.stringify(v) : String(v))).join(", ") : typeof value === "object" ? JSON.stringify(value) : String(value);
  return JSON.stringify(text).slice(1, -1);
}

export function renderTemplate(template: string, objectName: string, record: Record<string, unknown>): string {
  const custom = (record.custom_field as Record<string, unknown> | undefined) ?? {};
  return template.replace(placeholder, (whole, object: string, field: string) => {
    if (object !== objectName) return whole;
    return asTemplateText(field in record ? record[field] : custom[field]);
  });
}

export class Workflows {
  private readonly workflows: Workflow[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private nextId = 1;
  readonly deliveries: WorkflowDelivery[] = [];

  add(spec: WorkflowSpec): number {
    const workflow = { ...workflowSpecSchema.parse(spec), id: this.nextId++ };
    this.workflows.push(workflow);
    return workflow.id;
  }

  clear(): void {
    this.workflows.length = 0;
  }

  /**
   * Sends every matching workflow's webhook once, in the background; a
   * delivery that fails is not sent again (the docs promise no retries).
   */
  fire(store: FreshsalesStore, module: ModuleName, record: StoredRecord, event: "created" | "updated"): void {
    for (const workflow of this.workflows) {
      if (workflow.module !== module || !workflow.on.includes(event)) continue;
      const body = renderTemplate(workflow.template, singularOf[module], render(store, module, record));
      const delivery: WorkflowDelivery = { workflowId: workflow.id, module, recordId: record.id, url: workflow.url, status: "unreachable", body };
      const sent = fetch(workflow.url, { method: "POST", headers: { "content-type": "application/json", ...workflow.headers }, body })
        .then((response) => {
          delivery.status = response.status;
          return response.arrayBuffer();
        })
        .then(
          () => undefined,
          () => undefined,
        )
        .finally(() => {
          this.deliveries.push(delivery);
          this.inFlight.delete(sent);
        });
      this.inFlight.add(sent);
    }
  }

  /** Resolves once every webhook sent so far has been answered (or failed). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }
}
