/**
 * `npm run bench:worker-profile` — where the app's training worker spends a step: a CPU profile of the worker
 * (CDP Target.attachToTarget on the worker's target) while a model trains on WASM (BENCH_TASK: spiral, the
 * default, mnist or charlm; BENCH_BATCH, default 64), with 1 and then 8 runs, 5 s each after a 2 s warm-up;
 * self time per step by function, top 16. Build unminified first (`npx vite build --minify false`) to read the
 * function names.
 */
import { chromium } from "playwright-core";
import { preview } from "vite";
import { CHROMIUM, CHROMIUM_ARGS } from "../e2e/global-setup";
import { experimentSchema, RUN_COLORS } from "../src/experiment/config";
import { encodeExperiment } from "../src/experiment/url";

const server = await preview({ preview: { host: "127.0.0.1", port: 0 }, logLevel: "warn" });
const addr = server.httpServer.address();
const port = typeof addr === "object" && addr ? addr.port : 4173;
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
const TASK = process.env.BENCH_TASK ?? "spiral";
for (const runs of [1, 8]) {
  const e = experimentSchema.parse({
    task: TASK === "spiral" ? { kind: "spiral", samples: 400, noise: 0.1 } : { kind: TASK },
    hidden: [16, 16],
    batchSize: Number(process.env.BENCH_BATCH ?? 64),
    optimizer: "adam",
    baseLr: 0.003,
    steps: 100000,
    backend: "wasm",
    runs: Array.from({ length: runs }, (_, i) => ({
      name: `run ${i + 1}`,
      color: RUN_COLORS[i],
      scheduler: { scheduler: "Constant" },
    })),
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, bypassCSP: true });
  await page.goto(`http://127.0.0.1:${port}/?${encodeExperiment(e)}`);
  await page.waitForFunction("window.lrlab.getState().backend !== null");
  const cdp = await page.context().newCDPSession(page);
  const { targetInfos } = (await cdp.send("Target.getTargets" as any)) as any;
  const wt = targetInfos.filter((t: any) => t.type === "worker");
  console.log(
    "workers:",
    wt.map((t: any) => t.url.split("/").pop() + " " + t.title),
  );
  const target = wt.find((t: any) => !/measure/.test(t.title)) ?? wt[0];
  const { sessionId } = (await cdp.send("Target.attachToTarget" as any, {
    targetId: target.targetId,
    flatten: false,
  })) as any;
  let id = 0;
  const pending = new Map<number, (v: any) => void>();
  cdp.on("Target.receivedMessageFromTarget" as any, (ev: any) => {
    const m = JSON.parse(ev.message);
    if (m.id && pending.has(m.id)) {
      pending.get(m.id)!(m.result);
      pending.delete(m.id);
    }
  });
  const send = (method: string, params: any = {}) =>
    new Promise<any>((res) => {
      const i = ++id;
      pending.set(i, res);
      void cdp.send("Target.sendMessageToTarget" as any, {
        sessionId,
        message: JSON.stringify({ id: i, method, params }),
      });
    });
  await page.evaluate("window.lrlab.getState().play()");
  await page.waitForTimeout(2000);
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: 200 });
  await send("Profiler.start");
  const s0 = (await page.evaluate("window.lrlab.getState().step")) as number;
  await page.waitForTimeout(5000);
  const s1 = (await page.evaluate("window.lrlab.getState().step")) as number;
  const r = await send("Profiler.stop");
  const p = r.profile;
  const self = new Map<number, number>();
  for (const [i, sid] of (p.samples as number[]).entries())
    self.set(sid, (self.get(sid) ?? 0) + p.timeDeltas[i] / 1000);
  const by = new Map<string, number>();
  for (const n of p.nodes) {
    const f = n.callFrame;
    const k = `${f.functionName || "(anon)"} ${f.url.split("/").pop()}:${f.lineNumber}`;
    by.set(k, (by.get(k) ?? 0) + (self.get(n.id) ?? 0));
  }
  const steps = s1 - s0;
  const busy = [...by.entries()].filter(([k]) => !k.startsWith("(idle)")).reduce((a, [, v]) => a + v, 0);
  console.log(
    `runs ${runs}: ${steps} steps in 5 s (${(5000 / steps).toFixed(2)} ms/step wall), worker busy ${(busy / steps).toFixed(2)} ms/step, idle ${((by.get("(idle) :-1") ?? 0) / steps).toFixed(2)} ms/step`,
  );
  for (const [k, ms] of [...by.entries()]
    .filter(([k]) => !k.startsWith("(idle)"))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 16))
    console.log("  ", k.slice(0, 70).padEnd(70), (ms / steps).toFixed(3));
  await page.close();
}
await browser.close();
server.httpServer.close();
