import { afterAll, describe, expect, it } from "vitest";
import { disconnect, drawnLines, mean, openApp, readSeries, waitForStep } from "./helpers";

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
      // The lines are drawn up to the last step in the store (decimated: fewer points than steps, by design).
      await expect
        .poll(async () => {
          const last = await page.evaluate(() =>
            Math.max(
              ...(window as unknown as { lrlab: { getState(): { series: { steps: number[] }[] } } }).lrlab
                .getState()
                .series.map((s) => s.steps.at(-1) ?? -1),
            ),
          );
          return Number(await fig.getAttribute("data-last-step")) === last && last >= 49;
        })
        .toBe(true);
      expect(Number(await fig.getAttribute("data-points"))).toBeGreaterThan(50);
      expect(await drawnLines(fig)).toHaveLength(2);
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

  it("recovers on another backend when the device is lost mid-run and goes on from the same step", async () => {
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
    await expect
      .poll(async () => (await notice.textContent()) ?? "")
      .toMatch(/resumed at step \d+ on (wasm|cpu)/);
    const failedAt = Number(/resumed at step (\d+)/.exec((await notice.textContent()) ?? "")?.[1]);
    await waitForStep(page, failedAt + 20);
    const refs = await page.evaluate(
      () =>
        (
          window as unknown as { lrlab: { getState(): { references: { loss: number[] }[] } } }
        ).lrlab.getState().references,
    );
    expect(refs).toHaveLength(0);
    // One unbroken series per run across the failure: steps 0, 1, 2, … with finite losses.
    const series = await readSeries(page);
    for (const s of series) {
      expect(s.steps.slice(0, failedAt + 20)).toEqual(Array.from({ length: failedAt + 20 }, (_, i) => i));
      expect(s.loss.every(Number.isFinite)).toBe(true);
    }
    // Replayed on another backend, the runs are where they were: no jump in the loss at the failed step.
    const l = series[1].loss;
    expect(Math.abs(l[failedAt] - l[failedAt - 1])).toBeLessThan(0.05);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
