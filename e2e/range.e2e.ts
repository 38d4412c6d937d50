/**
 * "Find the LR" in the app, on WASM: the lesson's link opens the range test, a run draws the loss against the
 * LR with the stop and every suggestion named, "use this LR" reaches the race, a shared link reopens it with its
 * settings, bad settings are named and change nothing, a diverging test stops cleanly, and presenter mode at
 * 1280×720 keeps every chart text at 18 px or more.
 */
import type { Page } from "playwright-core";
import { afterAll, describe, expect, inject, it } from "vitest";
import { LESSONS, lessonQuery } from "../src/experiment/lessons";
import { connect, disconnect, waitForBackend } from "./helpers";

afterAll(disconnect);

interface Lab {
  getState(): {
    range: {
      state: string;
      result: {
        stop: number;
        reason: string;
        diverged: unknown;
        suggestions: Record<string, unknown>;
      } | null;
    };
    experiment: {
      baseLr: number;
      runs: { scheduler: { params?: Record<string, unknown> } }[];
      view: { range: { flavor: string; params: Record<string, unknown> } };
    };
    notice: string | null;
    step: number;
  };
}
const lab = (page: Page) => page.evaluate(() => (window as unknown as { lrlab: Lab }).lrlab.getState());

async function open(query: string, viewport = { width: 1366, height: 768 }) {
  const b = await connect();
  const ctx = await b.newContext({ viewport });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${inject("baseUrl")}?${query}`);
  await waitForBackend(page);
  return { page, ctx, errors };
}

async function runIt(page: Page) {
  await page.getByRole("button", { name: /Run the range test|Run it again/ }).click();
  await page.waitForFunction(
    () => (window as unknown as { lrlab: Lab }).lrlab.getState().range.state === "done",
    null,
    { timeout: 120_000 },
  );
}

describe("Find the LR (WASM)", () => {
  const lesson = LESSONS.find((l) => l.id === "find-the-lr")!;

  it("the lesson's range test opens from the toolbar; a run marks the stop and names every suggestion; “use this LR” reaches the race", async () => {
    const { page, ctx, errors } = await open(`${lessonQuery(lesson.experiment)}&backend=wasm`);
    const dialog = page.getByRole("dialog", { name: "Find the LR" });
    // The lesson carries its range test closed: the class opens it from the toolbar, with the lesson's settings.
    expect(await dialog.count()).toBe(0);
    await page.getByRole("button", { name: "Find the LR" }).click();
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect((await lab(page)).experiment.view.range.params).toMatchObject({ start_lr: 1e-5, num_it: 100 });
    await runIt(page);
    const s = await lab(page);
    expect(s.range.result!.stop).toBeGreaterThan(50);
    const names = Object.keys(s.range.result!.suggestions).filter((k) => k !== "window");
    expect(names.sort()).toEqual(["minimum", "slide", "steep", "valley"]);
    const chart = dialog.getByRole("img");
    for (const n of names) await expect.poll(() => chart.locator("text", { hasText: n }).count()).toBe(1);
    await expect.poll(() => chart.locator("text", { hasText: /^(end|stop: diverged)$/ }).count()).toBe(1);
    // The race was not touched: still at step 0.
    expect(s.step).toBe(0);
    // “as max_lr of OneCycle 0.33” on the valley row sets that run's max_lr live.
    const row = dialog.getByRole("row", { name: /valley/ });
    await row.getByRole("button", { name: "as max_lr of OneCycle 0.33" }).click();
    const v = (s.range.result!.suggestions.valley as { lr: number }).lr;
    await expect
      .poll(async () => (await lab(page)).experiment.runs[1].scheduler.params?.max_lr)
      .toBe(Number(v.toPrecision(3)));
    await row.getByRole("button", { name: "as base LR" }).click();
    await expect.poll(async () => (await lab(page)).experiment.baseLr).toBe(Number(v.toPrecision(3)));
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it("a shared link reopens it with its settings; bad settings are named and change nothing", async () => {
    const { page, ctx } = await open(
      "backend=wasm&task=circles&rt=torch-lr-finder&rt.num_iter=40&rt.step_mode=linear&rt.start_lr=0.001&rt.end_lr=3",
    );
    const dialog = page.getByRole("dialog", { name: "Find the LR" });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    const s = await lab(page);
    expect(s.experiment.view.range).toMatchObject({
      flavor: "torch-lr-finder",
      params: { num_iter: 40, step_mode: "linear" },
    });
    await runIt(page);
    expect(Object.keys((await lab(page)).range.result!.suggestions).sort()).toEqual(["steepest", "window"]);
    // iterations = 1: refused, named, nothing changes
    const it = dialog.getByRole("textbox", { name: "iterations (range test)" });
    await it.fill("1");
    await it.press("Enter");
    await expect.poll(() => dialog.getByText(/≥ 2/).count()).toBeGreaterThan(0);
    expect((await lab(page)).experiment.view.range.params.num_iter).toBe(40);
    await ctx.close();
  });

  it("a test that diverges stops cleanly and says at which LR", async () => {
    const { page, ctx, errors } = await open(
      "backend=wasm&task=quadratic&opt=sgd&rt=fastai&rt.stop_div=0&rt.start_lr=0.01&rt.end_lr=1e30&rt.num_it=60",
    );
    await runIt(page);
    const r = (await lab(page)).range.result!;
    expect(r.reason).toBe("non-finite");
    await expect.poll(() => page.getByText(/Diverged at LR/).count()).toBe(1);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it("presenter mode at 1280×720: the dialog and every chart text at 18 px or more", async () => {
    const { page, ctx } = await open(`${lessonQuery(lesson.experiment)}&backend=wasm&present=1`, {
      width: 1280,
      height: 720,
    });
    await page.getByRole("button", { name: "Find the LR" }).click();
    await runIt(page);
    const sizes = await page.evaluate(() =>
      [...document.querySelectorAll(".range-chart svg text")].map((t) =>
        Number.parseFloat(getComputedStyle(t).fontSize),
      ),
    );
    expect(sizes.length).toBeGreaterThan(8);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(18);
    const box = await page.locator(".range-chart svg").boundingBox();
    expect(box!.width).toBeLessThanOrEqual(1280);
    await page.screenshot({ path: "test-results/range-present-1280x720.png" });
    await ctx.close();
  });
});
