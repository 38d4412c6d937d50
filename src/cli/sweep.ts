/**
 * `npm run sweep -- FILE [--json] [--out FILE]` — runs a sweep config headless in Node (CPU backend) with
 * the same training code as the app, and prints a table of metrics (median over seeds), or JSON. With
 * --out it writes the JSON and, next to it, the sweep's figures as SVG (OUT-BASE.final-vs-param.svg or
 * .final-by-noise.svg, and .recovery.svg): the same figures as the replication dialog.
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { sweepFigures } from "../experiment/figures";
import { sweepSchema } from "../experiment/sweep";
import { formatTable, runSweep } from "../train/sweep";
import { cpuBackend } from "./experimentFile";

function fail(msg: string): never {
  process.stderr.write(`sweep: ${msg}\n`);
  process.exit(1);
}

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith("--") && args[args.indexOf(a) - 1] !== "--out");
const json = args.includes("--json");
const outIdx = args.indexOf("--out");
const out = outIdx >= 0 ? args[outIdx + 1] : undefined;
if (!file) fail("usage: npm run sweep -- FILE [--json] [--out results.json]   (e.g. sweeps/f-sweep.json)");

let raw: unknown;
try {
  raw = JSON.parse(readFileSync(file, "utf8"));
} catch (e) {
  fail(`cannot read ${file}: ${(e as Error).message}`);
}
const parsed = sweepSchema.safeParse(raw);
if (!parsed.success)
  fail(`${file}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);

// The CPU backend is what sweeps use; stdout is kept for the results.
const backend = await cpuBackend(parsed.data.base.task?.kind === "mnist");
const t0 = performance.now();
const rows = await runSweep(parsed.data, (p) =>
  process.stderr.write(`\r  ${p.done}/${p.total} ${p.label}        `),
);
process.stderr.write(`\n  ${((performance.now() - t0) / 1000).toFixed(1)} s on tfjs ${tf.getBackend()}\n`);
backend.done();
const result = { sweep: parsed.data.name, description: parsed.data.description, rows };
if (out) {
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  const base = out.replace(/\.json$/i, "");
  for (const f of sweepFigures(parsed.data, rows, "#ffffff")) {
    writeFileSync(`${base}.${f.id}.svg`, `${f.svg}\n`);
    process.stderr.write(`  wrote ${base}.${f.id}.svg\n`);
  }
}
if (json) console.log(JSON.stringify(result));
else console.log(`${parsed.data.name}\n\n${formatTable(rows)}`);
