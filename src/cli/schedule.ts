/**
 * `npm run --silent schedule -- FILE` — runs one case in the golden format, or `{"cases": [...]}`, and prints
 * `{"results": [...]}` (one case alone: its result). A case is a scheduler case (scheduler name, `params`,
 * `base_lr`, `steps`, optional `metrics`, per-step `observations`, `children`; prints `lr`), an LR range test
 * (`flavor`, `params`, `losses`; prints `lr`, `smoothed`, `stop`, `suggestions`), schedule-free with any schedule
 * or its Polyak step (`mode`, `params`, `theta0`, `batch_size`, `A`, `b`, `gamma_in`; prints `gamma`, `c`,
 * `loss`, `y`, `z`, `x`) or vSGD (`variant`, `params`, `h`, `theta0`, `samples`; prints `lr`, `theta`, `tau`). Reads stdin when FILE is "-". Bad input: a clear message on stderr, exit 1.
 */
import { readFileSync } from "node:fs";
import { runAnyCase } from "../engine/golden";

function fail(msg: string): never {
  process.stderr.write(`schedule: ${msg}\n`);
  process.exit(1);
}

const file = process.argv[2];
if (!file || file === "--help" || file === "-h") {
  fail(
    'usage: npm run --silent schedule -- FILE   (FILE: {"scheduler": "StepLR", "params": {...}, "base_lr": 0.1, "steps": 100} or {"cases": [...]}; "-" = stdin)',
  );
}
let text: string;
try {
  text = readFileSync(file === "-" ? 0 : file, "utf8");
} catch (e) {
  fail(`cannot read ${file}: ${(e as Error).message}`);
}
let input: unknown;
try {
  input = JSON.parse(text);
} catch (e) {
  fail(`${file} is not valid JSON: ${(e as Error).message}`);
}

const describe = (c: unknown, i?: number) => {
  const id = c && typeof c === "object" && "id" in c ? ` "${String((c as { id: unknown }).id)}"` : "";
  return i === undefined ? "" : `case ${i}${id}: `;
};

function one(c: unknown, i?: number) {
  try {
    return runAnyCase(c);
  } catch (e) {
    fail(`${describe(c, i)}${(e as Error).message}`);
  }
}

if (input && typeof input === "object" && !Array.isArray(input) && "cases" in input) {
  const cases = (input as { cases: unknown }).cases;
  if (!Array.isArray(cases)) fail('"cases" must be a list');
  const results = cases.map((c, i) => {
    const r = one(c, i);
    const id = c && typeof c === "object" && "id" in c ? (c as { id: unknown }).id : i;
    return { id, ...r };
  });
  process.stdout.write(`${JSON.stringify({ results })}\n`);
} else {
  process.stdout.write(`${JSON.stringify(one(input))}\n`);
}
