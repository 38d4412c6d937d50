/**
 * Classroom-ready: the build served under a sub-path by a plain static server (not Vite's), under its strict
 * Content-Security-Policy; offline after the first visit; the stage on a projector; links for a room (students
 * vs presenting, QR code, embed); and no accessibility violations (axe-core) on the screens a class sees.
 */
import { readFileSync } from "node:fs";
import jsQR from "jsqr";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error -- a plain ES module without types
import { serve } from "../scripts/serve.mjs";
import { experimentSchema, RUN_COLORS } from "../src/experiment/config";
import { lessonById, lessonQuery } from "../src/experiment/lessons";
import { decodeExperiment, encodeExperiment } from "../src/experiment/url";
import { CHROMIUM, CHROMIUM_ARGS } from "./global-setup";
import { waitForBackend } from "./helpers";

let browser: Browser;
let server: { close(): void };
let base = "";

beforeAll(async () => {
  const s = await serve({ dir: "dist", prefix: "/lr-lab/" });
  server = s.server;
  base = `http://127.0.0.1:${s.port}/lr-lab/`;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  server?.close();
});

const state = <T>(page: Page, expr: string): Promise<T> =>
  page.evaluate(`(() => { const s = window.lrlab.getState(); return ${expr}; })()`) as Promise<T>;

/** Open the app in a fresh context; collect page errors, console errors and CSP violations. */
async function open(query: string, opts: Parameters<Browser["newContext"]>[0] = {}) {
  const ctx = await browser.newContext({ serviceWorkers: "block", ...opts });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto(base + query);
  await page.waitForFunction(() => (window as unknown as { lrlab?: unknown }).lrlab !== undefined);
  await waitForBackend(page);
  return { page, errors, ctx };
}

async function train(page: Page, steps: number) {
  const from = await state<number>(page, "s.step");
  await page.evaluate((n) => {
    (window as unknown as { lrlab: { getState(): { stepOnce(n: number): void } } }).lrlab
      .getState()
      .stepOnce(n);
  }, steps);
  await page.waitForFunction(
    (k) => (window as unknown as { lrlab: { getState(): { step: number } } }).lrlab.getState().step >= k,
    from + steps,
    { timeout: 120_000 },
  );
}

const cspViolations = (errors: string[]) => errors.filter((e) => /Content Security Policy|CSP/i.test(e));

describe("hosted under a sub-path by a plain static server, under the app's CSP", () => {
  it("loads its assets relative to /lr-lab/, trains the MLP and the MNIST CNN on WASM, with no CSP violation", async () => {
    const { page, errors, ctx } = await open("?backend=wasm&task=mnist&samples=200&steps=50&bs=16");
    const csp = await page.evaluate(
      () =>
        document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute("content") ?? "",
    );
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp.split(";").find((d) => d.trim().startsWith("script-src"))).not.toContain("unsafe-inline");
    expect(csp).not.toMatch(/https?:|\*/);
    expect(await state<string>(page, "s.backend.backend")).toBe("wasm");
    await train(page, 5);
    const loss = await state<number[]>(page, "s.series[0].loss");
    expect(loss.every(Number.isFinite)).toBe(true);
    const res = await page.evaluate(() => performance.getEntriesByType("resource").map((e) => e.name));
    expect(res.filter((u) => u.includes("/assets/")).every((u) => u.includes("/lr-lab/assets/"))).toBe(true);
    expect(cspViolations(errors)).toEqual([]);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it("the server sends the CSP on every response (the workers take theirs from it)", async () => {
    const r = await fetch(base);
    expect(r.headers.get("content-security-policy")).toContain("default-src 'self'");
    const html = await r.text();
    const script = /assets\/main-[^"]+\.js/.exec(html)?.[0];
    expect(script).toBeTruthy();
    const js = await fetch(base + script!);
    expect(js.headers.get("content-security-policy")).toContain("worker-src 'self'");
    expect((await fetch(base.replace("/lr-lab/", "/elsewhere/"))).status).toBe(404);
  });
});

describe("offline after the first visit", () => {
  it("precaches everything: offline, a reload still trains the MNIST CNN and the char-LM", async () => {
    const ctx = await browser.newContext({ serviceWorkers: "allow" });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${base}?backend=wasm`);
    // The service worker installs (precaching every file) and activates.
    await page.waitForFunction(
      async () => {
        const r = await navigator.serviceWorker.ready;
        return r.active?.state === "activated";
      },
      null,
      { timeout: 90_000 },
    );
    await ctx.setOffline(true);
    for (const task of ["mnist&samples=200&bs=16", "charlm&bs=4"]) {
      await page.goto(`${base}?backend=wasm&steps=40&task=${task}`);
      await waitForBackend(page);
      await train(page, 3);
      expect(await state<string | null>(page, "s.error")).toBeNull();
      expect((await state<number[]>(page, "s.series[0].loss")).every(Number.isFinite)).toBe(true);
    }
    expect(await page.evaluate(() => navigator.onLine)).toBe(false);
    expect(errors).toEqual([]);
    await ctx.close();
  });
});

const lesson = lessonById("noise-recovery")!;
const eight = experimentSchema.parse({
  ...lesson.experiment,
  runs: Array.from({ length: 8 }, (_, i) => ({
    name: `run ${i + 1}`,
    color: RUN_COLORS[i],
    scheduler: i % 2 ? { scheduler: "Constant" } : lesson.experiment.runs[0].scheduler,
  })),
  view: { ...lesson.experiment.view, present: true },
});

describe("the stage on a projector", () => {
  for (const [w, h] of [
    [1280, 720],
    [1024, 768],
  ])
    it(`presenter mode at ${w}×${h}: Loss, LR and Recovery are side by side and whole; chart text ≥ 18 px`, async () => {
      const { page, ctx } = await open(`?${encodeExperiment(eight)}`, { viewport: { width: w, height: h } });
      await train(page, 320);
      await page.waitForTimeout(1200);
      const boxes = await page.evaluate(() =>
        ["Loss chart", "Learning rate chart", "Noise recovery chart"].map((n) => {
          const r = document.querySelector(`[aria-label="${n}"]`)?.getBoundingClientRect();
          return r ? { n, top: r.top, bottom: r.bottom, left: r.left, right: r.right, h: r.height } : null;
        }),
      );
      for (const b of boxes) {
        expect(b).not.toBeNull();
        expect(b!.top, b!.n).toBeGreaterThanOrEqual(0);
        expect(b!.bottom, b!.n).toBeLessThanOrEqual(h);
        expect(b!.right, b!.n).toBeLessThanOrEqual(w);
        expect(b!.h, b!.n).toBeGreaterThan(250);
      }
      // Side by side: one row.
      expect(Math.abs(boxes[0]!.top - boxes[2]!.top)).toBeLessThan(2);
      expect(await page.evaluate(() => document.scrollingElement!.scrollTop)).toBe(0);
      // The header's buttons are whole inside its one line (at 1024 px they once wrapped into a cut second row).
      const cut = await page.evaluate(() => {
        const top = document.querySelector("header.top")!.getBoundingClientRect();
        return [...document.querySelectorAll("header.top button")].flatMap((b) => {
          const r = b.getBoundingClientRect();
          return r.top < top.top - 0.5 || r.bottom > top.bottom + 0.5 || r.right > top.right + 0.5
            ? [b.textContent]
            : [];
        });
      });
      expect(cut, "header buttons cut by the header's edge").toEqual([]);
      const sizes = await page.evaluate(() =>
        [
          ...document.querySelectorAll(
            ".chart svg.axes text, .chart .end-labels text, .recovery svg text, .legend-item, .chart figcaption strong",
          ),
        ].map((el) => Number.parseFloat(getComputedStyle(el).fontSize)),
      );
      expect(sizes.length).toBeGreaterThan(20);
      expect(Math.min(...sizes)).toBeGreaterThanOrEqual(18);
      await page.screenshot({ path: `test-results/presenter-${w}x${h}.png` });
      await ctx.close();
    });
});

describe("a phone", () => {
  it("at 390×844 nothing overflows horizontally (main screen, a lesson with formulas and tables)", async () => {
    for (const query of [
      "?backend=cpu",
      `?${lessonQuery(lessonById("warm-restarts")!.experiment)}&backend=cpu`,
    ]) {
      const { page, ctx } = await open(query, { viewport: { width: 390, height: 844 } });
      await train(page, 40);
      await page.waitForTimeout(800);
      const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(over, query).toBeLessThanOrEqual(0);
      // No button label breaks inside a word: a one-word label stays on one line ("Lessons", not "Less / ons").
      const broken = await page.evaluate(() =>
        [...document.querySelectorAll("button")]
          .filter((b) => b.offsetParent !== null && /^\S+$/.test((b.textContent ?? "").trim()))
          .filter((b) => {
            // one word, one line: the text node's line boxes all sit at one height
            const walk = document.createTreeWalker(b, NodeFilter.SHOW_TEXT);
            for (let n = walk.nextNode(); n; n = walk.nextNode()) {
              if (!(n.textContent ?? "").trim()) continue;
              const r = document.createRange();
              r.selectNodeContents(n);
              if (new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size > 1) return true;
            }
            return false;
          })
          .map((b) => b.textContent),
      );
      expect(broken, query).toEqual([]);
      await ctx.close();
    }
  });
});

describe("links a room can use", () => {
  it("Copy link for students leaves out presenter mode and autoplay; for presenting keeps presenter mode", async () => {
    const { page, ctx } = await open(`?${lessonQuery(lesson.experiment)}&present=1&autoplay=1&backend=cpu`, {
      permissions: ["clipboard-read", "clipboard-write"],
    });
    await page.getByRole("button", { name: "Copy link for students" }).click();
    const students = await page.evaluate(() => navigator.clipboard.readText());
    expect(students.startsWith(base)).toBe(true);
    expect(students).not.toMatch(/present=1|autoplay=1/);
    expect(students).toContain(`lesson=${lesson.id}`);
    await expect.poll(() => page.getByText(/opens only on this computer/).count()).toBeGreaterThan(0);
    await page.getByRole("button", { name: "Copy link for presenting" }).click();
    const presenting = await page.evaluate(() => navigator.clipboard.readText());
    expect(presenting).toContain("present=1");
    await ctx.close();
  });

  it("presenter mode shows the students' link as a QR code", async () => {
    const { page, ctx } = await open(`?${lessonQuery(lesson.experiment)}&present=1&backend=cpu`);
    await page.getByRole("button", { name: "Show link as QR code" }).click();
    const dialog = page.getByRole("dialog", { name: "Link as QR code" });
    const img = dialog.getByRole("img", { name: /QR code/ });
    await expect.poll(() => img.count()).toBe(1);
    expect(await img.getAttribute("src")).toMatch(/^data:image\/png;base64,/);
    const url = (await dialog.locator(".qr-url").textContent())!;
    expect(url).not.toContain("present=1");
    // The code itself reads back as the students' link (decoded by jsQR from the image's pixels).
    const pixels = await img.evaluate(async (el: HTMLImageElement) => {
      await el.decode();
      const c = document.createElement("canvas");
      c.width = el.naturalWidth;
      c.height = el.naturalHeight;
      const ctx = c.getContext("2d")!;
      ctx.drawImage(el, 0, 0);
      const d = ctx.getImageData(0, 0, c.width, c.height);
      return { data: Array.from(d.data), width: d.width, height: d.height };
    });
    const code = jsQR(Uint8ClampedArray.from(pixels.data), pixels.width, pixels.height);
    expect(code?.data).toBe(url);
    expect(decodeExperiment(new URL(url).search).experiment.view.lesson).toBe(lesson.experiment.view.lesson);
    await ctx.close();
  });

  it("?embed=1 shows only the charts and the play controls", async () => {
    const { page, errors, ctx } = await open("?embed=1&backend=cpu");
    expect(await page.getByRole("banner").count()).toBe(0);
    expect(await page.getByRole("button", { name: /Play/ }).count()).toBe(1);
    expect(await page.locator('[aria-label="Loss chart"]').count()).toBe(1);
    expect(await page.getByRole("region", { name: "Experiment settings" }).count()).toBe(0);
    await train(page, 5);
    expect(errors).toEqual([]);
    await ctx.close();
  });
});

describe("accessible (axe-core)", () => {
  const axeSource = readFileSync("node_modules/axe-core/axe.min.js", "utf8");
  async function axe(page: Page) {
    await page.addScriptTag({ content: axeSource });
    return page.evaluate(async () => {
      const r = await (
        window as unknown as {
          axe: { run(): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> };
        }
      ).axe.run();
      return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(" ")}`);
    });
  }
  it("0 violations on the main screen, a lesson, presenter mode and each dialog", async () => {
    // axe is injected as a script: the test context bypasses the page's CSP for it.
    const screens: [string, string, ((p: Page) => Promise<void>)?][] = [
      ["main screen", "?backend=cpu"],
      [
        "the replay view, with a log replayed",
        `?${lessonQuery(lessonById("replay-smooth")!.experiment)}&backend=cpu`,
        (p) => p.locator(".replay-metrics").waitFor({ timeout: 30_000 }),
      ],
      ["a lesson", `?${lessonQuery(lessonById("warm-restarts")!.experiment)}&backend=cpu`],
      ["presenter mode", `?${encodeExperiment(eight)}&backend=cpu`],
      [
        "the lessons dialog",
        "?backend=cpu",
        (p) => p.getByRole("button", { name: "Lessons", exact: true }).click(),
      ],
      [
        "the replication dialog",
        "?backend=cpu",
        (p) => p.getByRole("button", { name: "Replicate the paper" }).click(),
      ],
      ["the help dialog", "?backend=cpu", (p) => p.keyboard.press("?")],
      [
        "the range test dialog, with a result",
        "?backend=cpu&task=circles&rt=fastai&rt.num_it=30&rt.start_lr=0.001",
        async (p) => {
          await p.getByRole("button", { name: "Run the range test" }).click();
          await p.waitForFunction(
            () =>
              (window as unknown as { lrlab: { getState(): { range: { state: string } } } }).lrlab.getState()
                .range.state === "done",
          );
        },
      ],
      [
        "the QR dialog",
        `?${encodeExperiment(eight)}&backend=cpu`,
        (p) => p.getByRole("button", { name: "Show link as QR code" }).click(),
      ],
    ];
    const found: Record<string, string[]> = {};
    for (const [name, query, act] of screens) {
      const { page, ctx } = await open(query, { bypassCSP: true });
      if (!query.includes("replay-")) await train(page, 30); // a replay trains nothing

      await act?.(page);
      await page.waitForTimeout(600);
      const v = await axe(page);
      if (v.length) found[name] = v;
      await ctx.close();
    }
    expect(found).toEqual({});
  });
});
