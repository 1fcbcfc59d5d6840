import { describe, expect, it } from "vitest";
import { allOf, onValue, predicate, predicateArgs } from "./predicate";

describe("query predicates with input variables", () => {
  it("keeps every value out of the query text", () => {
    const hostile = 'x" or customerId is defined or id = "y';
    const p = predicate`customerId = ${hostile} and id in ${["a", "b"]}`;
    expect(p).toEqual({ where: ["customerId = :p0 and id in :p1"], vars: { p0: hostile, p1: ["a", "b"] } });
    expect(predicateArgs(p)).toEqual({ where: ["customerId = :p0 and id in :p1"], "var.p0": hostile, "var.p1": ["a", "b"] });
  });

  it("combines predicates as clauses without their variables colliding", () => {
    const combined = allOf(predicate`a = ${"1"}`, undefined, predicate`b = ${"2"} or c = ${"3"}`);
    expect(combined).toEqual({ where: ["a = :c0p0", "b = :c1p0 or c = :c1p1"], vars: { c0p0: "1", c1p0: "2", c1p1: "3" } });
    expect(allOf(undefined, predicate`a = ${"1"}`)).toEqual({ where: ["a = :p0"], vars: { p0: "1" } });
    expect(allOf()).toBeUndefined();
    expect(onValue(allOf(predicate`state = ${"open"}`, predicate`crm = ${"x"}`))).toEqual({
      where: ["value((state = :c0p0) and (crm = :c1p0))"],
      vars: { c0p0: "open", c1p0: "x" },
    });
    expect(predicateArgs(undefined)).toEqual({});
  });
});
