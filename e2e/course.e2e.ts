/** The course: every lesson opens from the gallery and trains; explain mode; the paper replication. */
import { afterAll, describe, expect, it } from "vitest";
import { isCore, LESSONS, lessonQuery } from "../src/experiment/lessons";
import { disconnect, openApp, waitForBackend, waitForStep } from "./helpers";

afterAll(disconnect);

const storeError = (page: import("playwright-core").Page) =>
  page.evaluate(
    () => (window as unknown as { lrlab: { getState(): { error: string | null } } }).lrlab.getState().error,
  );

describe("course", () => {
  it("opens each lesson from the gallery and it trains without error", async () => {
    const { page, errors } = await openApp();
    for (const l of LESSONS) {
      await page.getByRole("button", { name: "Lessons", exact: true }).click();
      await page
        .getByRole("dialog", { name: "Lessons" })
        .getByRole("link", { name: l.title, exact: true })
        .click();
      await expect.poll(() => page.getByRole("region", { name: `Lesson: ${l.title}` }).count()).toBe(1);
      await expect.poll(() => page.url()).toContain(`lesson=${l.id}`);
      if (l.experiment.view.replay) {
        // A replay lesson opens its bundled log and replays it: nothing to train.
        await page.locator(".replay-metrics").waitFor({ timeout: 30_000 });
        continue;
      }
      await page.getByRole("button", { name: /Play/ }).click();
      await waitForStep(page, 8, 60_000);
      await page.getByRole("button", { name: /Pause/ }).click();
      expect(await storeError(page), l.id).toBeNull();
    }
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("explain mode says GreedyLR's decision in words at the step it happens", async () => {
    const l = LESSONS.find((x) => x.id === "meet-greedylr")!;
    const { page, errors } = await openApp(`?${lessonQuery(l.experiment)}&explain=1`);
    await expect
      .poll(() => page.getByRole("region", { name: "Explain" }).count(), { timeout: 30_000 })
      .toBe(1);
    // "auto" measures the backends first (a few seconds on a first visit): step once it has chosen.
    await waitForBackend(page);
    const greedy = page.locator('.explain li[data-run="1"]');
    let text = "";
    for (let i = 0; i < 200; i++) {
      await page.keyboard.press("s");
      await expect.poll(async () => (await greedy.textContent()) ?? "").toContain(`at step ${i}:`);
      if ((await greedy.getAttribute("class"))?.includes("decision")) {
        text = (await greedy.textContent()) ?? "";
        break;
      }
    }
    expect(text).toMatch(
      /decided \(LR of step \d+\): GreedyLR: \d+ (improving|worsening) steps > patience 10 → LR × (1\/F|F)/,
    );
    // The decision is the one in the run's event log, stamped with the next step.
    const step = Number(/at step (\d+)/.exec(text)?.[1]);
    const events = await page.evaluate(
      () =>
        (
          window as unknown as {
            lrlab: { getState(): { series: { events: { step: number; kind: string }[] }[] } };
          }
        ).lrlab.getState().series[1].events,
    );
    expect(events.some((e) => e.step === step + 1 && (e.kind === "increase" || e.kind === "decrease"))).toBe(
      true,
    );
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("presenter mode walks the course in its order (N through the core path, then B back)", async () => {
    const core = LESSONS.filter((l) => isCore(l.id));
    const { page, errors } = await openApp(`?${lessonQuery(LESSONS[0].experiment)}&present=1`);
    const shown = (title: string) => page.getByRole("region", { name: `Lesson: ${title}` }).count();
    await expect.poll(() => shown(LESSONS[0].title)).toBe(1);
    for (const l of core.slice(1)) {
      await page.keyboard.press("n");
      await expect.poll(() => page.url()).toContain(`lesson=${l.id}`);
      await expect.poll(() => shown(l.title)).toBe(1);
      expect(page.url()).toContain("present=1");
    }
    expect(await page.locator(".app.present").count()).toBe(1);
    await page.keyboard.press("b");
    await expect.poll(() => page.url()).toContain(`lesson=${core.at(-2)!.id}`);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("the replication view completes a reduced sweep and fills its tables with computed numbers", async () => {
    const { page, errors } = await openApp();
    await page.getByRole("button", { name: "Replicate the paper" }).click();
    const f = page.getByRole("region", { name: "F sweep" });
    await f.getByRole("button", { name: /Run reduced/ }).click();
    const table = page.getByRole("table", { name: "F sweep results" });
    await table.waitFor({ timeout: 120_000 });
    const cells = await table.locator("tbody td").allTextContents();
    expect(cells.length).toBe(12);
    for (const c of cells.filter((_, i) => i % 3 !== 2)) expect(Number(c), c).toBeGreaterThan(0);
    await expect
      .poll(() => f.locator(".verdict").textContent())
      .toMatch(/LR Lab: F < 0\.5 diverged in \d+ of 1 runs/);
    // The same result as a figure: final loss against F, one marker per seed, its numbers as the text alternative.
    const fig = f.getByRole("img", { name: /Final loss \(mean of the last 10 steps, log scale\) against F/ });
    await fig.waitFor();
    expect(await fig.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(720);
    expect(await fig.getAttribute("alt")).toMatch(/F = 0\.25: median \d/);
    const dl = page.waitForEvent("download");
    await f.getByRole("button", { name: "Download SVG" }).click();
    expect((await dl).suggestedFilename()).toBe("lr-lab-f-sweep.final-vs-param.svg");
    // Cancel works: a full noise sweep started and cancelled leaves no table and says so.
    const n = page.getByRole("region", { name: "Noise robustness" });
    await n.getByRole("button", { name: /Run full/ }).click();
    await n.getByRole("button", { name: "Cancel" }).click();
    await expect
      .poll(() => page.getByRole("dialog", { name: "Replicate the paper" }).getByRole("alert").textContent())
      .toBe("cancelled");
    expect(await page.getByRole("table", { name: "Noise robustness results" }).count()).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
