import type { Money } from "./model";

/** Major units (e.g. 12.34) as a number, for CRMs that store decimals. */
export function toMajorUnits(money: Money): number {
  return money.centAmount / 10 ** money.fractionDigits;
}

/** Cents (1/100 of the major unit), the unit Close uses for currency values. */
export function toHundredths(money: Money): number {
  return Math.round((money.centAmount * 100) / 10 ** money.fractionDigits);
}

export function formatMoney(money: Money): string {
  return `${toMajorUnits(money).toFixed(money.fractionDigits)} ${money.currencyCode}`;
}

export function sumMoney(values: Money[], currencyCode: string, fractionDigits = 2): Money {
  let cents = 0;
  for (const value of values) {
    if (value.currencyCode !== currencyCode) continue;
    cents += Math.round(value.centAmount * 10 ** (fractionDigits - value.fractionDigits));
  }
  return { centAmount: cents, currencyCode, fractionDigits };
}
