import { afterAll, describe, expect, it } from "vitest";
import { disconnect, mean, openApp, readSeries, waitForStep } from "./helpers";

afterAll(disconnect);

describe("first slice: two runs train live", () => {
  it("opens, trains ~50 steps on play, and both charts hold finite, decreasing-on-average loss", async () => {
    const { page, errors } = await openApp();
    const badge = page.getByRole("status", { name: "Backend" });
    await expect
      .poll(async () => badge.getAttribute("data-backend"), { timeout: 60_000 })
      .toMatch(/^(webgpu|webgl|wasm|cpu)$/);
    await page.getByRole("button", { name: /Play/ }).click();
    await waitForStep(page, 60);
    await page.getByRole("button", { name: /Pause/ }).click();
    const series = await readSeries(page);
    expect(series).toHaveLength(2);
    for (const s of series) {
      expect(s.loss.length).toBeGreaterThanOrEqual(50);
      expect(s.loss.every(Number.isFinite)).toBe(true);
      expect(s.steps.slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
      expect(mean(s.loss.slice(-10))).toBeLessThan(mean(s.loss.slice(0, 10)));
    }
    for (const name of ["Loss chart", "Learning rate chart"]) {
      const fig = page.getByRole("figure", { name });
      await expect
        .poll(async () => Number(await fig.getAttribute("data-points")))
        .toBeGreaterThanOrEqual(100);
      expect(await fig.locator("path.series").count()).toBe(2);
    }
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("Space toggles play/pause, Step advances one step, Reset clears", async () => {
    const { page } = await openApp("?backend=cpu");
    await expect
      .poll(async () => page.getByRole("status", { name: "Backend" }).getAttribute("data-backend"), {
        timeout: 60_000,
      })
      .toBe("cpu");
    await page.getByRole("button", { name: "Step", exact: true }).click();
    await waitForStep(page, 1);
    expect((await readSeries(page))[0].steps).toEqual([0]);
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("Space");
    await waitForStep(page, 10);
    await page.keyboard.press("Space");
    await expect.poll(async () => page.getByRole("button", { name: /Play/ }).count()).toBe(1);
    await page.getByRole("button", { name: "Reset", exact: true }).click();
    await expect.poll(async () => (await readSeries(page))[0].steps.length).toBe(0);
    await page.context().close();
  });

  it("trains on WebGPU when forced (software adapter here) and says so", async () => {
    const { page, errors } = await openApp("?backend=webgpu");
    const badge = page.getByRole("status", { name: "Backend" });
    await expect.poll(async () => badge.getAttribute("data-backend"), { timeout: 60_000 }).toBe("webgpu");
    await expect(badge.textContent()).resolves.toMatch(/webgpu/i);
    await page.getByRole("button", { name: /Play/ }).click();
    await waitForStep(page, 15);
    await page.getByRole("button", { name: /Pause/ }).click();
    const series = await readSeries(page);
    for (const s of series) {
      expect(s.loss.length).toBeGreaterThanOrEqual(15);
      expect(s.loss.every(Number.isFinite)).toBe(true);
    }
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("recovers on another backend when the device is lost mid-run, keeping the curves so far", async () => {
    const { page, errors } = await openApp("?backend=webgl");
    const badge = page.getByRole("status", { name: "Backend" });
    await expect.poll(async () => badge.getAttribute("data-backend"), { timeout: 60_000 }).toBe("webgl");
    await page.getByRole("button", { name: /Play/ }).click();
    await waitForStep(page, 10);
    await page.evaluate(() =>
      (window as unknown as { lrlab: { getState(): { simulateBackendFailure(): void } } }).lrlab
        .getState()
        .simulateBackendFailure(),
    );
    await expect.poll(async () => badge.getAttribute("data-backend"), { timeout: 60_000 }).not.toBe("webgl");
    const notice = page.getByRole("alert").filter({ hasText: "webgl backend failed" });
    await expect.poll(async () => notice.count()).toBe(1);
    await waitForStep(page, 20);
    const refs = await page.evaluate(
      () =>
        (
          window as unknown as { lrlab: { getState(): { references: { loss: number[] }[] } } }
        ).lrlab.getState().references,
    );
    expect(refs).toHaveLength(2);
    for (const r of refs) expect(r.loss.length).toBeGreaterThanOrEqual(10);
    const series = await readSeries(page);
    expect(series[0].steps[0]).toBe(0);
    expect(series[0].loss.every(Number.isFinite)).toBe(true);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
