/**
 * A commercetools query predicate whose values travel as input variables
 * (`:name` in the text, `var.name` in the query string), so an ID or a key
 * from outside can never change what the query means. `where` holds clauses
 * that must all hold (commercetools ANDs repeated `where` parameters).
 */
export type Predicate = { where: string[]; vars: Record<string, string | string[]> };

type Value = string | readonly string[];

/**
 * `` predicate`customerId = ${id}` `` → `customerId = :p0` with `p0 = id`; an
 * array value is one variable sent once per element (`id in ${ids}`).
 */
export function predicate(strings: TemplateStringsArray, ...values: Value[]): Predicate {
  let text = strings[0]!;
  const vars: Predicate["vars"] = {};
  values.forEach((value, i) => {
    text += `:p${i}${strings[i + 1]!}`;
    vars[`p${i}`] = typeof value === "string" ? value : [...value];
  });
  return { where: [text], vars };
}

/** All of them (the absent ones left out); variables are renamed so they cannot collide. */
export function allOf(...parts: (Predicate | undefined)[]): Predicate | undefined {
  const present = parts.filter((p): p is Predicate => p !== undefined);
  if (present.length <= 1) return present[0];
  const vars: Predicate["vars"] = {};
  const where = present.flatMap((part, k) =>
    part.where.map((clause) =>
      clause.replace(/:([A-Za-z]\w*)/g, (_match, name: string) => {
        vars[`c${k}${name}`] = part.vars[name]!;
        return `:c${k}${name}`;
      }),
    ),
  );
  return { where, vars };
}

/** The predicate applied to a custom object's value: `value(...)`. */
export function onValue(inner: Predicate | undefined): Predicate | undefined {
  if (!inner) return undefined;
  const clauses = inner.where.length === 1 ? inner.where : inner.where.map((clause) => `(${clause})`);
  return { where: [`value(${clauses.join(" and ")})`], vars: inner.vars };
}

/** Query arguments for the commercetools SDK: the `where` clauses and one `var.<name>` per variable. */
export function predicateArgs(where: Predicate | undefined): Record<string, string | string[]> {
  if (!where) return {};
  return { where: where.where, ...Object.fromEntries(Object.entries(where.vars).map(([name, value]) => [`var.${name}`, value])) };
}
