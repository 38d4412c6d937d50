/** The two bigger tasks train in the browser: MNIST CNN (bundled digits) and the char-LM transformer. */
import { afterAll, describe, expect, it } from "vitest";
import { disconnect, mean, openApp, readSeries, waitForStep } from "./helpers";

afterAll(disconnect);

describe("bundled-data tasks", () => {
  it("MNIST: the CNN learns and the task view labels held-out digits", async () => {
    const { page, errors } = await openApp(
      "?v=1&task=mnist&samples=1000&bs=32&lr=0.003&steps=400&autoplay=1",
    );
    await waitForStep(page, 60);
    const s = await readSeries(page);
    expect(mean(s[0].loss.slice(-10))).toBeLessThan(mean(s[0].loss.slice(0, 5)));
    await expect.poll(() => page.locator(".digits figure").count(), { timeout: 30_000 }).toBe(24);
    await expect
      .poll(() => page.getByRole("list", { name: "Accuracy on held-out digits" }).textContent())
      .toMatch(/% of 500/);
    // The CNN learns: the held-out accuracy climbs far above chance (10%) as training goes on.
    const read = () =>
      page.evaluate(() => {
        const v = (
          window as unknown as { lrlab: { getState(): { taskView: { accuracy?: number[] } | null } } }
        ).lrlab.getState().taskView;
        const items = [...document.querySelectorAll('[aria-label="Accuracy on held-out digits"] li')];
        return { accuracy: v?.accuracy ?? [], shown: items.map((li) => li.textContent ?? "") };
      });
    await expect
      .poll(async () => Math.max(...(await read()).accuracy), { timeout: 90_000 })
      .toBeGreaterThan(0.5);
    // What the list shows is the worker's figure, to the digit shown (read together, in one task).
    const { accuracy, shown } = await read();
    expect(shown).toHaveLength(accuracy.length);
    for (const [r, t] of shown.entries()) expect(t).toContain(`${(accuracy[r] * 100).toFixed(1)}% of 500`);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("char-LM: the transformer learns and every run writes sampled text", async () => {
    const { page, errors } = await openApp("?v=1&task=charlm&bs=8&lr=0.01&steps=400&autoplay=1");
    await waitForStep(page, 40);
    const s = await readSeries(page);
    expect(mean(s[0].loss.slice(-5))).toBeLessThan(s[0].loss[0]);
    await expect.poll(() => page.locator("pre.sample").count(), { timeout: 30_000 }).toBe(2);
    const text = await page.locator("pre.sample").first().textContent();
    expect(text?.length).toBeGreaterThan(60);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("WebGPU computes the same CNN and transformer steps as WASM (software adapter here)", async () => {
    for (const task of ["mnist", "charlm"]) {
      const losses: Record<string, number[]> = {};
      for (const backend of ["wasm", "webgpu"]) {
        const { page, errors } = await openApp(
          `?v=1&task=${task}&bs=8&lr=0.003&backend=${backend}&steps=4&autoplay=1`,
        );
        await waitForStep(page, 4);
        const badge = await page.getByRole("status", { name: "Backend" }).getAttribute("data-backend");
        expect(badge, `${task} on ${backend}`).toBe(backend);
        losses[backend] = (await readSeries(page))[0].loss;
        expect(errors).toEqual([]);
        await page.context().close();
      }
      losses.webgpu.forEach((l, i) => {
        expect(Math.abs(l - losses.wasm[i]) / losses.wasm[i], `${task} step ${i}`).toBeLessThan(1e-3);
      });
    }
  });
});
