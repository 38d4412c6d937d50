/**
 * "auto": a first visit trains at once on WASM while the other usable backends are measured on the race in
 * interleaved rounds; a clearly faster one takes over at the same step; the choice is remembered per device and
 * task. An explicit backend in the link is always honoured and never measured. The badge keeps its size.
 */
import type { Page } from "playwright-core";
import { afterAll, describe, expect, inject, it } from "vitest";
import { connect, disconnect, openApp, waitForBackend } from "./helpers";

afterAll(disconnect);

interface Info {
  backend: string;
  measuring?: boolean;
  reason: string;
  measured?: { times: Record<string, number>; cached: boolean; task: string };
}

interface Lab {
  lrlab: { getState(): { backend: Info | null; step: number; play(): void } };
}

const info = (page: Page) =>
  page.evaluate(() => (window as unknown as Lab).lrlab.getState().backend) as Promise<Info | null>;
const step = (page: Page) => page.evaluate(() => (window as unknown as Lab).lrlab.getState().step);

/** Waits until "auto" has measured (the badge's info says so). */
const measured = (page: Page, timeout = 120_000) =>
  page.waitForFunction(
    () => {
      const b = (window as unknown as Lab).lrlab.getState().backend;
      return b?.measured !== undefined && b.measuring !== true;
    },
    null,
    { timeout },
  );

describe("auto backend", () => {
  it("a first visit trains at once on WASM, measures WebGL while it trains, keeps the faster and remembers it", async () => {
    // Long enough that training cannot finish while auto measures (the MLP trains ~800 steps/s on WASM).
    const { page, errors } = await openApp("?steps=20000");
    const badge = page.getByRole("status", { name: "Backend" });
    await badge.waitFor();
    const before = await badge.boundingBox();
    const chart = page.getByRole("figure", { name: "Loss chart" });
    const chartBox = await chart.boundingBox();
    await waitForBackend(page, 30_000);
    const first = await info(page);
    expect(first?.backend).toBe("wasm");
    expect(first?.measuring).toBe(true);
    // Play trains at once: no measuring first.
    const t0 = Date.now();
    await page.getByRole("button", { name: /Play/ }).first().click();
    await page.waitForFunction(() => (window as unknown as Lab).lrlab.getState().step >= 1);
    const firstStepMs = Date.now() - t0;
    expect(firstStepMs, "Play to the first step").toBeLessThan(2_000);
    await measured(page);
    const done = (await info(page))!;
    const times = done.measured!.times;
    // Here: WASM and WebGL (SwiftShader); the software WebGPU adapter is never measured.
    expect(Object.keys(times).sort()).toEqual(["wasm", "webgl"]);
    for (const ms of Object.values(times)) expect(ms).toBeGreaterThan(0);
    // It moves only to a backend 1.3× faster (medians), and says what it measured.
    expect(done.backend).toBe(times.webgl * 1.3 < times.wasm ? "webgl" : "wasm");
    expect(done.measured!.cached).toBe(false);
    expect(done.reason).toMatch(/medians of 5 interleaved rounds on a copy of this race while it trained/);
    await expect
      .poll(() => badge.textContent())
      .toMatch(/fastest here: (wasm|webgl) [\d.]+ ms · (wasm|webgl) [\d.]+ ms per step/);
    // Nothing moved while the badge filled in.
    expect(await badge.boundingBox()).toEqual(before);
    expect(await chart.boundingBox()).toEqual(chartBox);
    // Training went on throughout.
    const at = await step(page);
    await page.waitForFunction((n) => (window as unknown as Lab).lrlab.getState().step > n + 20, at);
    // Same device, same task: the remembered choice, at once.
    await page.reload();
    await waitForBackend(page, 30_000);
    const again = await info(page);
    expect(again?.measured?.cached).toBe(true);
    expect(again?.backend).toBe(done.backend);
    expect(again?.measured?.times).toEqual(times);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("opening the replay view while auto measures leaves no wrong choice behind: the next visit trains at WASM speed", async () => {
    // The reported sequence: a fresh profile, Play at load, "Replay a training log" 2.5–3.5 s later, 8 s there.
    const b = await connect();
    const ctx = await b.newContext({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    const page = await ctx.newPage();
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(inject("baseUrl"));
    await waitForBackend(page, 30_000);
    await page.getByRole("button", { name: /Play/ }).first().click();
    await page.waitForTimeout(3_000);
    await page.getByRole("button", { name: "Replay a training log" }).click();
    await page.waitForTimeout(8_000);
    expect(await page.locator(".notice.error").count(), "no error banner").toBe(0);
    // The next visit: WASM (measured or cached), never the ~20× slower SwiftShader WebGL.
    const next = await ctx.newPage();
    next.on("pageerror", (e) => errors.push(String(e)));
    await next.goto(`${inject("baseUrl")}?steps=5000`);
    await waitForBackend(next, 30_000);
    expect((await info(next))?.backend).toBe("wasm");
    await next.getByRole("button", { name: /Play/ }).first().click();
    await next.waitForFunction(() => (window as unknown as Lab).lrlab.getState().step >= 1);
    const s0 = await step(next);
    await next.waitForTimeout(4_000);
    const trained = (await step(next)) - s0;
    // WebGL here trains the spiral at 41–48 steps in 4 s; WASM at hundreds, even while measuring.
    expect(trained, "steps in 4 s on the next visit").toBeGreaterThan(150);
    expect((await info(next))?.backend).toBe("wasm");
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it("an explicit backend in the link is honoured, not measured", async () => {
    const { page, errors } = await openApp("?backend=webgl&steps=60");
    await waitForBackend(page);
    const i = await info(page);
    expect(i?.backend).toBe("webgl");
    expect(i?.measured).toBeUndefined();
    expect(i?.measuring).toBeUndefined();
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
