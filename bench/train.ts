/**
 * `npm run bench:train` — in headless Chromium (Debian's, playwright-core), per backend, in one page each:
 * steps/s of LR Lab's loop vs a bare tfjs loop of the same model (target ≥ 0.9×) and the cost of 4 runs vs 1
 * (target ≤ 1.5×). Needs a build (`npm run build`). BENCH_STEPS (default 150) steps per measurement.
 * The run-count scaling of every model, in the app's own worker, is bench/scaling.ts (run after this).
 */
import { chromium } from "playwright-core";
import { preview } from "vite";
import { CHROMIUM, CHROMIUM_ARGS } from "../e2e/global-setup";

const STEPS = Number(process.env.BENCH_STEPS ?? 150);
const backends = (process.env.BENCH_BACKENDS ?? "wasm,cpu,webgl,webgpu").split(",") as (
  | "webgpu"
  | "webgl"
  | "wasm"
  | "cpu"
)[];

const server = await preview({ preview: { host: "127.0.0.1", port: 0 }, logLevel: "warn" });
const addr = server.httpServer.address();
const port = typeof addr === "object" && addr ? addr.port : 4173;
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
const rows: Record<string, unknown>[] = [];
for (const b of backends) {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/bench/bench.html`);
  await page.waitForFunction(() => document.title === "bench ready");
  const steps = b === "webgpu" || b === "webgl" ? Math.min(STEPS, 60) : STEPS;
  const r = (await page.evaluate(
    ([bk, n]) =>
      (window as unknown as { runBench: (b: string, n: number) => Promise<unknown> }).runBench(
        bk as string,
        n as number,
      ),
    [b, steps] as const,
  )) as Record<string, unknown>;
  const f = (x: unknown, d = 3) => (typeof x === "number" ? Number(x.toPrecision(d)) : x);
  rows.push({
    backend: r.backend,
    ...(r.error
      ? { error: r.error }
      : {
          "bare tfjs steps/s": f(r.bareStepsPerSec),
          "LR Lab steps/s": f(r.labStepsPerSec),
          "LR Lab ÷ bare": f(r.labVsBare),
          "4 runs steps/s": f(r.lab4StepsPerSec),
          "cost 4 vs 1": f(r.cost4vs1),
          note: r.webgpu === "software" && b === "webgpu" ? "software adapter" : "",
        }),
  });
  await page.close();
}
await browser.close();
server.httpServer.close();
console.log(
  `MLP 2-16-16-2 on the spiral, batch 64, Adam; ${STEPS} steps per measurement (60 on GPU backends)`,
);
console.table(rows);
