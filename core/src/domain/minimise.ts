/**
 * Personal data in a payload kept for review is reduced to what lets a person
 * recognise the record and the problem; replay never uses it (it re-reads
 * current state), so nothing more is needed.
 */
const masked: Record<string, (value: string) => string> = {
  email: (v) => v.replace(/^(.)[^@]*(@.*)$/, "$1***$2"),
  firstName: (v) => `${v.slice(0, 1)}.`,
  lastName: (v) => `${v.slice(0, 1)}.`,
  phone: (v) => `***${v.slice(-2)}`,
  streetLine: () => "***",
  postalCode: (v) => `${v.slice(0, 2)}***`,
};

export function minimisePersonalData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(minimisePersonalData);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const mask = masked[key];
      out[key] = mask && typeof v === "string" ? mask(v) : minimisePersonalData(v);
    }
    return out;
  }
  return value;
}
