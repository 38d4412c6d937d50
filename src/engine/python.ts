/** Python literals for exported code (see PythonExport in types.ts). */

/** A value as a Python literal: None, True/False, 'text', [lists], numbers as JavaScript prints them (valid Python). */
export const py = (v: unknown): string =>
  v === null || v === undefined
    ? "None"
    : typeof v === "boolean"
      ? v
        ? "True"
        : "False"
      : typeof v === "string"
        ? JSON.stringify(v).replace(/^"|"$/g, "'")
        : Array.isArray(v)
          ? `[${v.map(py).join(", ")}]`
          : typeof v === "number" && !Number.isFinite(v)
            ? Number.isNaN(v)
              ? "float('nan')"
              : `float('${v > 0 ? "inf" : "-inf"}')`
            : String(v);
