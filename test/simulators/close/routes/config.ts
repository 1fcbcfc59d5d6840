import express, { type Request, type Router } from "express";
import { objectBody, optionalString, requiredString, throwIfAny } from "../body";
import { ApiError } from "../errors";
import { closeId } from "../ids";
import { page, renderCustomField, trimFields } from "../render";
import {
  customFieldScopes,
  customFieldTypes,
  organizationId,
  type CloseStore,
  type CustomActivityType,
  type CustomField,
  type CustomFieldScope,
  type CustomFieldType,
  type Status,
} from "../store";

/** Organisation configuration: custom fields, custom activity types, lead statuses. */
export function configRoutes(store: CloseStore): Router {
  const r = express.Router({ strict: true });

  const scopeOf = (req: Request): CustomFieldScope => {
    const scope = req.params.scope as CustomFieldScope;
    if (!customFieldScopes.includes(scope)) throw new ApiError(404, "Not found.");
    return scope;
  };
  const fieldOf = (req: Request): CustomField => {
    const field = store.customFields.get(req.params.id as string);
    if (!field || field.scope !== scopeOf(req)) throw new ApiError(404, "Custom field not found.");
    return field;
  };

  r.get("/custom_field/:scope/", (req, res) => {
    res.json(page(req, store.fieldsOf(scopeOf(req)), renderCustomField));
  });

  r.post("/custom_field/:scope/", (req, res) => {
    const scope = scopeOf(req);
    const body = objectBody(req);
    const errors: Record<string, string> = {};
    const name = requiredString(body, "name", errors);
    const type = body.type;
    if (typeof type !== "string" || !customFieldTypes.includes(type as CustomFieldType)) {
      errors.type = type === undefined ? "This field is required." : `"${String(type)}" is not a valid choice.`;
    }
    const choices = Array.isArray(body.choices) ? body.choices.filter((c): c is string => typeof c === "string") : [];
    if (type === "choices" && choices.length === 0) errors.choices = "This field is required.";
    let activityTypeId: string | null = null;
    if (scope === "activity") {
      activityTypeId = requiredString(body, "custom_activity_type_id", errors);
      if (activityTypeId && !store.customActivityTypes.has(activityTypeId)) errors.custom_activity_type_id = "Custom activity type not found.";
    }
    const description = optionalString(body, "description", errors) ?? null;
    throwIfAny(errors);
    const at = store.now();
    // Close does not promise unique names; the simulator allows duplicates so clients must cope.
    const field: CustomField = {
      id: closeId("cf"),
      scope,
      name,
      type: type as CustomFieldType,
      description,
      accepts_multiple_values: body.accepts_multiple_values === true,
      choices,
      custom_activity_type_id: activityTypeId,
      required: body.required === true,
      date_created: at,
      date_updated: at,
    };
    store.customFields.set(field.id, field);
    res.json(renderCustomField(field));
  });

  r.get("/custom_field/:scope/:id/", (req, res) => {
    res.json(trimFields(req, renderCustomField(fieldOf(req))));
  });

  r.put("/custom_field/:scope/:id/", (req, res) => {
    const field = fieldOf(req);
    const body = objectBody(req);
    const errors: Record<string, string> = {};
    if (body.type !== undefined && body.type !== field.type) errors.type = "The type of a custom field cannot be changed.";
    const name = optionalString(body, "name", errors);
    throwIfAny(errors);
    if (name) field.name = name;
    if (typeof body.accepts_multiple_values === "boolean") field.accepts_multiple_values = body.accepts_multiple_values;
    if (typeof body.required === "boolean") field.required = body.required;
    field.date_updated = store.now();
    res.json(renderCustomField(field));
  });

  r.delete("/custom_field/:scope/:id/", (req, res) => {
    const field = fieldOf(req);
    store.customFields.delete(field.id);
    res.json({});
  });

  const renderType = (t: CustomActivityType) => ({
    id: t.id,
    name: t.name,
    description: t.description,
    api_create_only: false,
    editable_with_roles: [],
    organization_id: organizationId,
    fields: store.fieldsOf("activity", t.id).map(renderCustomField),
    date_created: t.date_created,
    date_updated: t.date_updated,
  });
  const typeOf = (req: Request): CustomActivityType => {
    const t = store.customActivityTypes.get(req.params.id as string);
    if (!t) throw new ApiError(404, "Custom activity type not found.");
    return t;
  };

  // The published spec declares no paging parameters here: the whole list comes back.
  r.get("/custom_activity/", (_req, res) => {
    res.json({ data: [...store.customActivityTypes.values()].map(renderType), has_more: false });
  });

  r.post("/custom_activity/", (req, res) => {
    const body = objectBody(req);
    const errors: Record<string, string> = {};
    const name = requiredString(body, "name", errors);
    const description = optionalString(body, "description", errors) ?? "";
    throwIfAny(errors);
    const at = store.now();
    const type: CustomActivityType = { id: closeId("actitype"), name, description, date_created: at, date_updated: at };
    store.customActivityTypes.set(type.id, type);
    res.status(201).json(renderType(type));
  });

  r.get("/custom_activity/:id/", (req, res) => {
    res.json(renderType(typeOf(req)));
  });

  r.put("/custom_activity/:id/", (req, res) => {
    const type = typeOf(req);
    const body = objectBody(req);
    const errors: Record<string, string> = {};
    const name = optionalString(body, "name", errors);
    const description = optionalString(body, "description", errors);
    throwIfAny(errors);
    if (name) type.name = name;
    if (typeof description === "string") type.description = description;
    type.date_updated = store.now();
    res.json(renderType(type));
  });

  r.delete("/custom_activity/:id/", (req, res) => {
    const type = typeOf(req);
    store.customActivityTypes.delete(type.id);
    for (const f of store.fieldsOf("activity", type.id)) store.customFields.delete(f.id);
    res.status(204).end();
  });

  const renderStatus = (s: Status) => ({ id: s.id, label: s.label, type: s.type, pipeline_id: s.pipeline_id, organization_id: organizationId });

  // Like the custom activity types, these lists have no paging parameters in the spec.
  r.get("/pipeline/", (_req, res) => {
    res.json({
      data: store.pipelines.map((p) => ({ ...p, organization_id: organizationId, statuses: store.opportunityStatuses.filter((s) => s.pipeline_id === p.id).map(renderStatus) })),
    });
  });

  r.get("/status/opportunity/", (req, res) => {
    res.json({ data: store.opportunityStatuses.map((s) => trimFields(req, renderStatus(s))) });
  });

  /** A status belongs to a pipeline and has a type; its label is unique within the pipeline (as in the Close app). */
  r.post("/status/opportunity/", (req, res) => {
    const body = objectBody(req);
    const errors: Record<string, string> = {};
    const label = requiredString(body, "label", errors);
    const type = body.type;
    if (type !== "active" && type !== "won" && type !== "lost") errors.type = type === undefined ? "This field is required." : `"${String(type)}" is not a valid choice.`;
    const pipelineId = requiredString(body, "pipeline_id", errors);
    if (pipelineId && !store.pipelines.some((p) => p.id === pipelineId)) errors.pipeline_id = "Pipeline not found.";
    if (label && store.opportunityStatuses.some((s) => s.pipeline_id === pipelineId && s.label === label)) errors.label = "A status with this label already exists.";
    throwIfAny(errors);
    const status: Status = { id: closeId("stat"), label, type: type as Status["type"], pipeline_id: pipelineId };
    store.opportunityStatuses.push(status);
    res.json(renderStatus(status));
  });

  r.get("/status/lead/", (_req, res) => {
    res.json({ data: store.leadStatuses.map((s) => ({ id: s.id, label: s.label, organization_id: organizationId })) });
  });

  r.post("/status/lead/", (req, res) => {
    const body = objectBody(req);
    const errors: Record<string, string> = {};
    const label = requiredString(body, "label", errors);
    if (label && store.leadStatuses.some((s) => s.label === label)) errors.label = "A status with this label already exists.";
    throwIfAny(errors);
    const status = { id: closeId("stat"), label };
    store.leadStatuses.push(status);
    res.json({ ...status, organization_id: organizationId });
  });

  return r;
}
