import express, { type Request, type Router } from "express";
import { invalid, notFound } from "../errors";
import type { FreshsalesStore } from "../store";

const noteBody = (req: Request): Record<string, unknown> => {
  const note = (req.body as { note?: unknown } | undefined)?.note;
  if (typeof note !== "object" || note === null || Array.isArray(note)) throw invalid("note must be an object");
  return note as Record<string, unknown>;
};

/**
 * Notes: `POST /notes {note: {description, targetable_type, targetable_id}}`
 * → 201 `{note}`, `PUT /notes/{id}` (the description), `DELETE /notes/{id}`
 * → 204. A record's notes are read with `GET /<module>/{id}?include=notes`
 * (records.ts). Notes fire no workflow.
 */
export function noteRoutes(store: FreshsalesStore, userOf: (req: Request) => number): Router {
  const r = express.Router({ strict: true });
  const existing = (req: Request) => {
    const note = store.notes.get(Number(req.params.id));
    if (!note) throw notFound("Note");
    return note;
  };

  r.post("/notes", (req, res) => {
    res.status(201).json({ note: store.addNote(noteBody(req), userOf(req)) });
  });

  r.put("/notes/:id", (req, res) => {
    const note = existing(req);
    const { description } = noteBody(req);
    if (typeof description !== "string" || description.trim() === "") throw invalid("Description can't be blank");
    Object.assign(note, { description, updated_at: store.now() });
    res.json({ note });
  });

  r.delete("/notes/:id", (req, res) => {
    store.notes.delete(existing(req).id);
    res.status(204).end();
  });

  return r;
}
