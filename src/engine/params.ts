import { ParamError, type ParamMeta, type Params, type ParamValue } from "./types";

/** PyTorch keyword arguments every scheduler accepts and that change nothing here. */
const IGNORED_KWARGS = new Set(["verbose", "last_epoch"]);

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)));
}

/** Validate one value against its metadata; returns the normalised value or throws ParamError. */

/** The smallest value a strictly positive parameter may take (see checkParam). */
export const MIN_POSITIVE = 1e-100;
export function checkParam(scheduler: string, m: ParamMeta, v: unknown): ParamValue {
  if (v === null || v === undefined) {
    if (m.nullable) return null;
    if (v === undefined) return m.default as ParamValue;
    throw new ParamError(scheduler, m.key, "must not be null");
  }
  switch (m.type) {
    case "bool":
      if (typeof v !== "boolean") throw new ParamError(scheduler, m.key, "must be true or false");
      return v;
    case "enum":
      if (typeof v !== "string" || !m.options?.includes(v))
        throw new ParamError(
          scheduler,
          m.key,
          `must be one of ${m.options?.map((o) => `"${o}"`).join(", ")}`,
        );
      return v;
    case "intList": {
      if (!Array.isArray(v)) throw new ParamError(scheduler, m.key, "must be a list of integers");
      for (const x of v) {
        if (typeof x !== "number" || !Number.isInteger(x) || x < (m.min ?? Number.NEGATIVE_INFINITY))
          throw new ParamError(
            scheduler,
            m.key,
            `must be a list of integers${m.min !== undefined ? ` ≥ ${m.min}` : ""} (got ${JSON.stringify(x)})`,
          );
      }
      return [...(v as number[])];
    }
    case "int":
    case "number": {
      if (typeof v !== "number" || !Number.isFinite(v))
        throw new ParamError(
          scheduler,
          m.key,
          `must be a finite number (got ${typeof v === "number" ? String(v) : JSON.stringify(v)})`,
        );
      if (m.type === "int" && !Number.isInteger(v))
        throw new ParamError(scheduler, m.key, `must be an integer (got ${v})`);
      if (m.min !== undefined && (m.minExclusive ? v <= m.min : v < m.min))
        throw new ParamError(
          scheduler,
          m.key,
          `must be ${m.minExclusive ? ">" : "≥"} ${fmt(m.min)} (got ${v})`,
        );
      // A strictly positive parameter (an LR, a factor) below 1e-100 only underflows: 0.1·5e-324 is 0, and
      // PyTorch's recursive forms then divide by it (LinearLR, OneCycleLR give NaN). LR Lab refuses it.
      if (m.min === 0 && m.minExclusive && v < MIN_POSITIVE)
        throw new ParamError(
          scheduler,
          m.key,
          `must be ≥ ${MIN_POSITIVE} (got ${v}): smaller values underflow`,
        );
      if (m.max !== undefined && (m.maxExclusive ? v >= m.max : v > m.max))
        throw new ParamError(
          scheduler,
          m.key,
          `must be ${m.maxExclusive ? "<" : "≤"} ${fmt(m.max)} (got ${v})`,
        );
      return v;
    }
  }
}

/** Fill defaults and validate every parameter; unknown keys are rejected by name. */
export function parseParams(
  scheduler: string,
  metas: readonly ParamMeta[],
  raw: Record<string, unknown>,
): Params {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new ParamError(scheduler, "params", "must be an object of keyword arguments");
  const out: Params = {};
  const known = new Set(metas.map((m) => m.key));
  for (const k of Object.keys(raw)) {
    if (known.has(k)) continue;
    if (IGNORED_KWARGS.has(k)) {
      if (k === "last_epoch" && raw[k] !== -1)
        throw new ParamError(scheduler, k, "is only supported as -1 (a fresh schedule)");
      continue;
    }
    throw new ParamError(
      scheduler,
      k,
      `is not a parameter of ${scheduler} (known: ${[...known].join(", ")})`,
    );
  }
  for (const m of metas) out[m.key] = checkParam(scheduler, m, raw[m.key]);
  return out;
}

/** Defaults of a parameter table, as a Params object. */
export function defaults(metas: readonly ParamMeta[]): Params {
  const out: Params = {};
  for (const m of metas) out[m.key] = Array.isArray(m.default) ? [...m.default] : (m.default as ParamValue);
  return out;
}

export const num = (p: Params, k: string): number => p[k] as number;
export const bool = (p: Params, k: string): boolean => p[k] as boolean;
export const str = (p: Params, k: string): string => p[k] as string;

/** A parameter change in words, by label: "F 0.9 → 0.567, patience 10 → 15" (empty when nothing changed). */
export function describeChange(metas: readonly ParamMeta[], before: Params, after: Params): string {
  const show = (v: ParamValue | undefined) =>
    typeof v === "number"
      ? String(Number(v.toPrecision(4)))
      : v === null || v === undefined
        ? "none"
        : String(v);
  return metas
    .filter((m) => JSON.stringify(before[m.key]) !== JSON.stringify(after[m.key]))
    .map((m) => `${m.label} ${show(before[m.key])} → ${show(after[m.key])}`)
    .join(", ");
}
