/**
 * "auto" measures: the usable backends each train the link's experiment for about a second in the worker,
 * the fastest is chosen and its times shown in the badge; the choice is remembered for this device and
 * task; an explicit backend in the link is always honoured and never measured.
 */
import { afterAll, describe, expect, it } from "vitest";
import { disconnect, openApp, waitForBackend } from "./helpers";

afterAll(disconnect);

interface Info {
  backend: string;
  measured?: { times: Record<string, number>; cached: boolean; task: string };
}

const info = (page: import("playwright-core").Page) =>
  page.evaluate(
    () => (window as unknown as { lrlab: { getState(): { backend: unknown } } }).lrlab.getState().backend,
  ) as Promise<Info | null>;

describe("auto backend", () => {
  it("picks the backend with the lowest measured step time, shows the times, and remembers the choice", async () => {
    const { page, errors } = await openApp("?steps=60");
    await waitForBackend(page, 90_000);
    const first = await info(page);
    const times = first?.measured?.times ?? {};
    // Here: WASM and WebGL (SwiftShader); the software WebGPU adapter is never measured.
    expect(Object.keys(times).sort()).toEqual(["wasm", "webgl"]);
    for (const ms of Object.values(times)) expect(ms).toBeGreaterThan(0);
    const fastest = Object.entries(times).sort((a, b) => a[1] - b[1])[0][0];
    expect(first?.backend).toBe(fastest);
    expect(first?.measured?.cached).toBe(false);
    const badge = page.getByRole("status", { name: "Backend" });
    await expect
      .poll(() => badge.textContent())
      .toMatch(/fastest here: (wasm|webgl) [\d.]+ ms · (wasm|webgl) [\d.]+ ms per step/);
    // It trains on it.
    await page.getByRole("button", { name: /Play/ }).first().click();
    await page.waitForFunction(
      () => (window as unknown as { lrlab: { getState(): { step: number } } }).lrlab.getState().step >= 10,
    );
    // Same device, same task: the remembered choice, at once.
    await page.reload();
    await waitForBackend(page, 30_000);
    const again = await info(page);
    expect(again?.measured?.cached).toBe(true);
    expect(again?.backend).toBe(fastest);
    expect(again?.measured?.times).toEqual(times);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("an explicit backend in the link is honoured, not measured", async () => {
    const { page, errors } = await openApp("?backend=webgl&steps=60");
    await waitForBackend(page);
    const i = await info(page);
    expect(i?.backend).toBe("webgl");
    expect(i?.measured).toBeUndefined();
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
