/**
 * `npm run bench:load` — what a visitor's browser downloads and waits for before the first chart appears.
 *
 * 1. The page's initial JavaScript: the entry script and every chunk `index.html` preloads (raw and gzip),
 *    read from the built `dist/`.
 * 2. Time to the first chart paint in headless Debian Chromium: from navigation start to the first frame in
 *    which the loss chart's SVG has a plot area — median of BENCH_ROUNDS (default 7) cold page loads, each in
 *    a fresh browser context (no HTTP cache), against `vite preview`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { preview } from "vite";
import { CHROMIUM, CHROMIUM_ARGS } from "../e2e/global-setup";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const html = readFileSync("dist/index.html", "utf8");
const initial = [
  ...html.matchAll(/<(?:script[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="([^"]+\.js)"/g),
].map((m) => m[1]);
let raw = 0;
let gz = 0;
for (const f of initial) {
  const b = readFileSync(join("dist", f.replace(/^(\.\/|\/)/, "")));
  raw += b.length;
  gz += gzipSync(b, { level: 9 }).length;
}
const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
console.log(`initial JS: ${initial.length} files, ${kb(raw)} raw, ${kb(gz)} gzip`);
for (const f of initial) console.log(`  ${f}`);

const server = await preview({ preview: { host: "127.0.0.1", port: 0 }, logLevel: "warn" });
const addr = server.httpServer.address();
const port = typeof addr === "object" && addr ? addr.port : 4173;
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
const times: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await ctx.newPage();
  // A plain string: tsx would wrap a named function with a helper that does not exist in the page.
  await page.addInitScript(`
    (() => {
      const tick = () => {
        const svg = document.querySelector('[aria-label="Loss chart"] svg');
        if (svg && svg.getBoundingClientRect().height > 0) { window.__firstChart = performance.now(); return; }
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    })();
  `);
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction("window.__firstChart !== undefined", null, { timeout: 60_000 });
  times.push((await page.evaluate("window.__firstChart")) as number);
  await ctx.close();
}
await browser.close();
server.httpServer.close();
times.sort((a, b) => a - b);
console.log(
  `first chart paint: median ${times[times.length >> 1].toFixed(0)} ms over ${ROUNDS} cold loads (min ${times[0].toFixed(0)}, max ${times[times.length - 1].toFixed(0)})`,
);
