import { afterAll, describe, expect, it } from "vitest";
import { disconnect, drawnLines, openApp, readSeries, waitForStep } from "./helpers";

afterAll(disconnect);

interface Ev {
  step: number;
  kind: string;
  message: string;
  from?: number;
  to?: number;
}

const eventsOf = (page: import("playwright-core").Page, run: number) =>
  page.evaluate(
    (r) =>
      (window as unknown as { lrlab: { getState(): { series: { events: Ev[] }[] } } }).lrlab.getState()
        .series[r].events,
    run,
  );

const ready = async (page: import("playwright-core").Page) =>
  expect
    .poll(async () => page.getByRole("status", { name: "Backend" }).getAttribute("data-backend"), {
      timeout: 60_000,
    })
    .toMatch(/^(webgpu|webgl|wasm|cpu)$/);

describe("live changes you can see", () => {
  it("arrow keys on the patience slider move it one by one; each change is logged with what changed and marked on the LR chart", async () => {
    const { page, errors } = await openApp("?backend=cpu");
    await ready(page);
    await page.evaluate(() =>
      (window as unknown as { lrlab: { getState(): { stepOnce(n: number): void } } }).lrlab
        .getState()
        .stepOnce(20),
    );
    await waitForStep(page, 20);
    const slider = page.getByRole("slider", { name: "patience (GreedyLR) slider" });
    await slider.focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
    await expect
      .poll(async () => (await eventsOf(page, 1)).filter((e) => e.kind === "param").map((e) => e.message))
      .toEqual([
        "GreedyLR: patience 10 → 11 (live, at step 20)",
        "GreedyLR: patience 11 → 12 (live, at step 20)",
        "GreedyLR: patience 12 → 13 (live, at step 20)",
      ]);
    await expect
      .poll(async () => page.getByRole("textbox", { name: "patience (GreedyLR)" }).inputValue())
      .toBe("13");
    // On the LR chart, at the step, with what changed.
    await expect
      .poll(async () =>
        JSON.parse(
          (await page
            .locator('[aria-label="Learning rate chart"] canvas.lines')
            .getAttribute("data-marks")) ?? "[]",
        ),
      )
      .toContain("✎ patience 12 → 13");
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("a bare lesson link opens the lesson's own experiment", async () => {
    const { page, errors } = await openApp("?lesson=noise-recovery&backend=cpu");
    await ready(page);
    const e = await page.evaluate(
      () =>
        (
          window as unknown as {
            lrlab: { getState(): { experiment: { runs: { name: string }[]; noise: { type: string } } } };
          }
        ).lrlab.getState().experiment,
    );
    expect(e.runs.map((r) => r.name)).toEqual(["GreedyLR", "Cosine", "Constant"]);
    expect(e.noise.type).toBe("periodic");
    expect(await page.getByText("Changed from the lesson").count()).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

describe("live experiment UI", () => {
  it("changing F mid-run: the next GreedyLR decision uses the new F", async () => {
    const { page, errors } = await openApp();
    await ready(page);
    await page.getByRole("button", { name: /Play/ }).click();
    await expect
      .poll(async () => (await eventsOf(page, 1)).filter((e) => e.kind === "increase").length, {
        timeout: 60_000,
      })
      .toBeGreaterThan(0);
    await page.getByRole("button", { name: /Pause/ }).click();
    const f = page.getByRole("textbox", { name: "factor F (GreedyLR)" });
    await f.fill("0.5");
    await f.press("Enter");
    await page.getByRole("button", { name: /Play/ }).click();
    await expect
      .poll(
        async () => {
          const evs = await eventsOf(page, 1);
          const pi = evs.map((e) => e.kind).lastIndexOf("param");
          return pi >= 0
            ? evs.slice(pi + 1).filter((e) => e.kind === "increase" || e.kind === "decrease").length
            : 0;
        },
        { timeout: 60_000 },
      )
      .toBeGreaterThan(0);
    await page.getByRole("button", { name: /Pause/ }).click();
    // Batches in flight at the pause may land after `before` was read: anchor on the parameter event itself.
    const all = await eventsOf(page, 1);
    const pi = all.map((e) => e.kind).lastIndexOf("param");
    expect(pi).toBeGreaterThanOrEqual(0);
    const decision = all.slice(pi + 1).find((e) => e.kind === "increase" || e.kind === "decrease")!;
    expect(decision).toBeDefined();
    expect(decision.message).toMatch(/F = 0\.5|1\/F = 2\.000/);
    const ratio = decision.to! / decision.from!;
    expect(ratio === 2 || ratio === 0.5 || decision.to === 1e-4 || decision.to === 1).toBe(true);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("adds a third run, toggles log scale, and the crosshair shows every run's value at one step", async () => {
    const { page } = await openApp();
    await ready(page);
    await page.getByRole("button", { name: "+ Add run" }).click();
    await expect.poll(async () => (await readSeries(page)).length).toBe(3);
    await page.getByRole("button", { name: /Play/ }).click();
    await waitForStep(page, 700);
    await page.getByRole("button", { name: /Pause/ }).click();
    const series = await readSeries(page);
    for (const s of series) expect(s.loss.length).toBeGreaterThanOrEqual(700);

    const lossChart = page.getByRole("figure", { name: "Loss chart" });
    const logBox = page.getByRole("checkbox", { name: "Log scale (Loss)" });
    expect(await logBox.isChecked()).toBe(true);
    const drawnLog = JSON.stringify(await drawnLines(lossChart));
    await logBox.uncheck();
    await expect.poll(async () => lossChart.getAttribute("data-scale")).toBe("linear");
    await expect.poll(async () => JSON.stringify(await drawnLines(lossChart))).not.toBe(drawnLog);
    expect(await drawnLines(lossChart)).toHaveLength(3);

    const box = (await lossChart.locator("svg.axes").boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
    const readout = page.getByRole("status", { name: /^Loss at step \d+$/ });
    await expect.poll(async () => readout.count()).toBe(1);
    const label = (await readout.getAttribute("aria-label"))!;
    const step = Number(label.match(/step (\d+)/)![1]);
    const text = (await readout.textContent())!;
    // Each run's value in the readout is its loss at that step, to the 4 digits shown.
    for (const [i, s] of series.entries()) {
      const v = s.loss[s.steps.indexOf(step)];
      expect(Number.isFinite(v), `run ${i}`).toBe(true);
      const shown = (await readout.locator(`[data-run="${i}"]`).textContent())!;
      const value = Number(shown.slice(shown.lastIndexOf(":") + 1).trim());
      expect(Math.abs(value - v) / Math.abs(v), `run ${i}: shows ${shown}, loss ${v}`).toBeLessThan(1e-3);
    }
    const runNames = await page.evaluate(() =>
      (window as unknown as { lrlab: { getState(): { experiment: { runs: { name: string }[] } } } }).lrlab
        .getState()
        .experiment.runs.map((r) => r.name),
    );
    for (const n of runNames) expect(text).toContain(`${n}:`);
    // The LR chart shows the same step (synced crosshair).
    await expect(page.getByRole("status", { name: `Learning rate at step ${step}` }).count()).resolves.toBe(
      1,
    );
    await page.context().close();
  });

  it("a diverging run is flagged while the others continue", async () => {
    const { page } = await openApp();
    await ready(page);
    await page.getByRole("combobox", { name: "Scheduler (GreedyLR)" }).selectOption("ExponentialLR");
    const gamma = page.getByRole("textbox", { name: "γ (decay factor) (GreedyLR)" });
    await gamma.fill("3");
    await gamma.press("Enter");
    await page.getByRole("button", { name: /Play/ }).click();
    await page
      .getByText(/diverged at step \d+/)
      .first()
      .waitFor({ timeout: 60_000 });
    const s0 = (await readSeries(page))[0].steps.length;
    await expect
      .poll(async () => (await readSeries(page))[0].steps.length, { timeout: 30_000 })
      .toBeGreaterThan(s0 + 20);
    const series = await readSeries(page);
    expect(series[1].divergedAt).not.toBeNull();
    expect(series[0].divergedAt).toBeNull();
    expect(series[0].loss.every(Number.isFinite)).toBe(true);
    await page.context().close();
  });
});
