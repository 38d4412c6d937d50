/** Shared e2e helpers: connect to the one Chromium of the run, open the app, read the live store. */
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { inject } from "vitest";

let browser: Browser | null = null;

export async function connect(): Promise<Browser> {
  if (!browser) browser = await chromium.connect(inject("wsEndpoint"));
  return browser;
}

export async function disconnect(): Promise<void> {
  await browser?.close();
  browser = null;
}

export async function openApp(query = ""): Promise<{ page: Page; errors: string[] }> {
  const b = await connect();
  const ctx = await b.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto(inject("baseUrl") + query);
  return { page, errors };
}

export interface SeriesSnapshot {
  steps: number[];
  loss: number[];
  lr: number[];
  divergedAt: number | null;
}

/** The streamed series of every run, read from the app's store. */
export function readSeries(page: Page): Promise<SeriesSnapshot[]> {
  return page.evaluate(() => {
    const w = window as unknown as { lrlab: { getState(): { series: SeriesSnapshot[] } } };
    return w.lrlab
      .getState()
      .series.map((s) => ({ steps: s.steps, loss: s.loss, lr: s.lr, divergedAt: s.divergedAt }));
  });
}

/** The experiment's base LR, as the app's store holds it. */
export const baseLrOf = (page: Page): Promise<number> =>
  page.evaluate(
    () =>
      (window as unknown as { lrlab: { getState(): { experiment: { baseLr: number } } } }).lrlab.getState()
        .experiment.baseLr,
  );

export async function waitForStep(page: Page, n: number, timeout = 120_000): Promise<void> {
  await page.waitForFunction(
    (k) => (window as unknown as { lrlab: { getState(): { step: number } } }).lrlab.getState().step >= k,
    n,
    { timeout },
  );
}

/** Wait until the worker has chosen its backend ("auto" measures first on a fresh visit). */
export async function waitForBackend(page: Page, timeout = 60_000): Promise<void> {
  await page.waitForFunction(
    () =>
      (window as unknown as { lrlab?: { getState(): { backend: unknown } } }).lrlab?.getState().backend !=
      null,
    null,
    { timeout },
  );
}

export const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;

/** The runs' lines a chart's canvas drew (its `data-lines`: run, kind and last pixel of each line). */
export async function drawnLines(
  fig: Locator,
): Promise<{ run: number; kind: string; end: number[] | null }[]> {
  const lines = JSON.parse((await fig.locator("canvas.lines").getAttribute("data-lines")) ?? "[]") as {
    run: number;
    kind: string;
    end: number[] | null;
  }[];
  return lines.filter((l) => l.kind === "series");
}
