import express, { type Request, type Router } from "express";
import { objectBody, optionalString, readAddresses, readEmails, readPhones, throwIfAny } from "../body";
import { applyCustomValues, readCustomValues } from "../custom-values";
import { ApiError, FieldErrors } from "../errors";
import { page, renderContact, renderLead, trimFields } from "../render";
import type { CloseStore, Contact, Lead } from "../store";

/** A contact as posted (alone or nested in a lead), validated but not yet stored. */
type ContactInput = Omit<Contact, "id" | "lead_id" | "date_created" | "date_updated" | "created_by" | "updated_by">;

function readContactInput(store: CloseStore, body: Record<string, unknown>, errors: Record<string, string>): ContactInput {
  const name = optionalString(body, "name", errors) ?? null;
  const title = optionalString(body, "title", errors) ?? null;
  const emails = readEmails(body.emails, errors) ?? [];
  const phones = readPhones(body.phones, errors) ?? [];
  const custom = new Map<string, unknown>();
  try {
    applyCustomValues(custom, readCustomValues(store, body, "contact"));
  } catch (e) {
    if (!(e instanceof FieldErrors)) throw e;
    Object.assign(errors, e.fieldErrors);
  }
  return { name, title, emails, phones, custom };
}

function leadStatus(store: CloseStore, body: Record<string, unknown>, errors: Record<string, string>): string | undefined {
  if (body.status_id !== undefined && body.status !== undefined) errors.status = "Post either status or status_id, not both.";
  if (typeof body.status_id === "string") {
    if (!store.leadStatuses.some((s) => s.id === body.status_id)) errors.status_id = "Unknown lead status.";
    return body.status_id;
  }
  if (typeof body.status === "string") {
    const found = store.leadStatuses.find((s) => s.label === body.status);
    if (!found) errors.status = "Unknown lead status.";
    return found?.id;
  }
  return undefined;
}

function getLead(store: CloseStore, id: string | undefined): Lead {
  const lead = id ? store.leads.get(id) : undefined;
  if (!lead) throw new ApiError(404, "Lead not found.");
  return lead;
}

function getContact(store: CloseStore, id: string | undefined): Contact {
  const contact = id ? store.contacts.get(id) : undefined;
  if (!contact) throw new ApiError(404, "Contact not found.");
  return contact;
}

export function peopleRoutes(store: CloseStore): Router {
  const r = express.Router({ strict: true });
  const param = (req: Request) => req.params.id as string | undefined;

  r.get("/lead/", (req, res) => {
    res.json(page(req, [...store.leads.values()], (l) => renderLead(store, l)));
  });

  r.post("/lead/", (req, res) => {
    const body = objectBody(req);
    const errors: Record<string, string> = {};
    const name = optionalString(body, "name", errors) ?? null;
    const description = optionalString(body, "description", errors) ?? null;
    const url = optionalString(body, "url", errors) ?? null;
    const statusId = leadStatus(store, body, errors);
    const addresses = readAddresses(body.addresses, errors) ?? [];
    const custom = new Map<string, unknown>();
    try {
      applyCustomValues(custom, readCustomValues(store, body, "lead"));
    } catch (e) {
      if (!(e instanceof FieldErrors)) throw e;
      Object.assign(errors, e.fieldErrors);
    }
    const contactInputs: ContactInput[] = [];
    if (body.contacts !== undefined) {
      if (!Array.isArray(body.contacts)) errors.contacts = "Expected a list of items.";
      else
        body.contacts.forEach((raw) => {
          const nested: Record<string, string> = {};
          const input = readContactInput(store, (raw ?? {}) as Record<string, unknown>, nested);
          // Nested errors are reported under `contacts` as one string (exact nesting unverified).
          const first = Object.entries(nested)[0];
          if (first) errors.contacts = `${first[0]}: ${first[1]}`;
          contactInputs.push(input);
        });
    }
    throwIfAny(errors);
    const lead: Lead = {
      ...store.audit("lead"),
      name,
      description,
      url,
      status_id: statusId ?? store.leadStatuses[0]!.id,
      addresses,
      custom,
    };
    store.leads.set(lead.id, lead);
    for (const input of contactInputs) {
      const contact: Contact = { ...store.audit("cont"), lead_id: lead.id, ...input };
      store.contacts.set(contact.id, contact);
    }
    res.json(renderLead(store, lead));
  });

  r.get("/lead/:id/", (req, res) => {
    res.json(trimFields(req, renderLead(store, getLead(store, param(req)))));
  });

  r.put("/lead/:id/", (req, res) => {
    const lead = getLead(store, param(req));
    const body = objectBody(req);
    const errors: Record<string, string> = {};
    if (body.contacts !== undefined) errors.contacts = "Nested contacts cannot be updated through this endpoint.";
    const name = optionalString(body, "name", errors);
    const description = optionalString(body, "description", errors);
    const url = optionalString(body, "url", errors);
    const statusId = leadStatus(store, body, errors);
    const addresses = readAddresses(body.addresses, errors);
    let custom = new Map<string, unknown>();
    try {
      custom = readCustomValues(store, body, "lead");
    } catch (e) {
      if (!(e instanceof FieldErrors)) throw e;
      Object.assign(errors, e.fieldErrors);
    }
    throwIfAny(errors);
    // Partial update: only what the body names changes.
    if (name !== undefined) lead.name = name;
    if (description !== undefined) lead.description = description;
    if (url !== undefined) lead.url = url;
    if (statusId !== undefined) lead.status_id = statusId;
    if (addresses !== undefined) lead.addresses = addresses;
    applyCustomValues(lead.custom, custom);
    store.touch(lead);
    res.json(renderLead(store, lead));
  });

  r.delete("/lead/:id/", (req, res) => {
    getLead(store, param(req));
    store.deleteLead(param(req)!);
    res.json({});
  });

  r.get("/contact/", (req, res) => {
    const leadId = typeof req.query.lead_id === "string" ? req.query.lead_id : undefined;
    const contacts = leadId === undefined ? [...store.contacts.values()] : store.contactsOf(leadId);
    res.json(page(req, contacts, renderContact));
  });

  r.post("/contact/", (req, res) => {
    const body = objectBody(req);
    const errors: Record<string, string> = {};
    const leadId = optionalString(body, "lead_id", errors);
    if (typeof leadId === "string" && !store.leads.has(leadId)) errors.lead_id = "Lead not found.";
    const input = readContactInput(store, body, errors);
    throwIfAny(errors);
    let lead = typeof leadId === "string" ? store.leads.get(leadId) : undefined;
    if (!lead) {
      // Documented: without lead_id Close creates a lead named after the contact.
      lead = {
        ...store.audit("lead"),
        name: input.name ?? input.emails[0]?.email ?? null,
        description: null,
        url: null,
        status_id: store.leadStatuses[0]!.id,
        addresses: [],
        custom: new Map(),
      };
      store.leads.set(lead.id, lead);
    }
    const contact: Contact = { ...store.audit("cont"), lead_id: lead.id, ...input };
    store.contacts.set(contact.id, contact);
    res.json(trimFields(req, renderContact(contact)));
  });

  r.get("/contact/:id/", (req, res) => {
    res.json(trimFields(req, renderContact(getContact(store, param(req)))));
  });

  r.put("/contact/:id/", (req, res) => {
    const contact = getContact(store, param(req));
    const body = objectBody(req);
    const errors: Record<string, string> = {};
    const leadId = optionalString(body, "lead_id", errors);
    if (typeof leadId === "string" && !store.leads.has(leadId)) errors.lead_id = "Lead not found.";
    const name = optionalString(body, "name", errors);
    const title = optionalString(body, "title", errors);
    const emails = readEmails(body.emails, errors);
    const phones = readPhones(body.phones, errors);
    let custom = new Map<string, unknown>();
    try {
      custom = readCustomValues(store, body, "contact");
    } catch (e) {
      if (!(e instanceof FieldErrors)) throw e;
      Object.assign(errors, e.fieldErrors);
    }
    throwIfAny(errors);
    if (typeof leadId === "string") contact.lead_id = leadId;
    if (name !== undefined) contact.name = name;
    if (title !== undefined) contact.title = title;
    if (emails !== undefined) contact.emails = emails;
    if (phones !== undefined) contact.phones = phones;
    applyCustomValues(contact.custom, custom);
    store.touch(contact);
    res.json(trimFields(req, renderContact(contact)));
  });

  r.delete("/contact/:id/", (req, res) => {
    getContact(store, param(req));
    store.contacts.delete(param(req)!);
    res.json({});
  });

  return r;
}
