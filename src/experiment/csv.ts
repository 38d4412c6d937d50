/**
 * Every CSV LR Lab writes goes through here: papaparse's `unparse` quotes what needs quoting and, with
 * `escapeFormulae`, prefixes a cell that a spreadsheet would run as a formula (one starting with =, +, −, @, a
 * tab or a CR — a run named `=HYPERLINK(…)`) with a quote, so it opens as text. Numbers stay numbers, negative
 * ones included. Non-finite numbers are written as empty cells.
 */
import Papa from "papaparse";

export type Cell = string | number | null | undefined;

export function toCsvText(fields: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const data = rows.map((r) => r.map((c) => (typeof c === "number" && !Number.isFinite(c) ? "" : (c ?? ""))));
  return `${Papa.unparse({ fields: [...fields], data }, { newline: "\n", escapeFormulae: true })}\n`;
}
