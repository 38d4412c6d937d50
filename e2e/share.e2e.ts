import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { connect, disconnect, openApp, readSeries } from "./helpers";

afterAll(disconnect);

const state = (page: Page) =>
  page.evaluate(() => {
    const s = (
      window as unknown as {
        lrlab: { getState(): { experiment: unknown; references: unknown[]; notice: string | null } };
      }
    ).lrlab.getState();
    return { experiment: s.experiment, references: s.references, notice: s.notice };
  });

const ready = (page: Page) =>
  expect
    .poll(async () => page.getByRole("status", { name: "Backend" }).getAttribute("data-backend"), {
      timeout: 60_000,
    })
    .toBe("cpu");

async function stepN(page: Page, n: number) {
  await page.evaluate(
    (k) =>
      (window as unknown as { lrlab: { getState(): { stepOnce(n: number): void } } }).lrlab
        .getState()
        .stepOnce(k),
    n,
  );
  await page.waitForFunction(
    (k) => (window as unknown as { lrlab: { getState(): { step: number } } }).lrlab.getState().step >= k,
    n,
    { timeout: 60_000 },
  );
}

/** What the share bar last said. */
const shareStatus = (page: Page) =>
  page
    .locator(".share output")
    .first()
    .textContent({ timeout: 1000 })
    .catch(() => "");

/** Export → item. */
async function exportAs(page: Page, item: string) {
  await page.getByText("Export", { exact: true }).click();
  await page.getByRole("button", { name: item }).click();
}

async function setParam(page: Page, label: string, value: string) {
  const f = page.getByRole("textbox", { name: label });
  await f.fill(value);
  await f.press("Enter");
}

describe("share by URL, export and import", () => {
  it("3 runs with non-default parameters → copy link → a fresh page has the same config and the same curves", async () => {
    const { page } = await openApp("?backend=cpu");
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    await ready(page);
    await page.getByRole("button", { name: "+ Add run" }).click();
    await setParam(page, "factor F (GreedyLR)", "0.7");
    await setParam(page, "patience (GreedyLR)", "4");
    await setParam(page, "T_max (Cosine)", "300");
    await page.getByRole("combobox", { name: "Scheduler (Constant LR)" }).selectOption("StepLR");
    await setParam(page, "step_size (Constant LR)", "25");
    await page.getByRole("button", { name: "Copy link for students" }).click();
    await expect
      .poll(async () => page.evaluate(() => navigator.clipboard.readText()))
      .toMatch(/r2=CosineAnnealingLR/);
    const link = await page.evaluate(() => navigator.clipboard.readText());
    expect(link).toContain("r0.step_size=25");
    expect(link).toContain("r1.factor=0.7");
    await expect.poll(async () => page.evaluate(() => location.href)).toBe(link);
    await stepN(page, 40);
    const a = await state(page);
    const seriesA = await readSeries(page);

    const b = await connect();
    const ctx = await b.newContext();
    const fresh = await ctx.newPage();
    await fresh.goto(link);
    await ready(fresh);
    // Same config: the fresh page's canonical link (the address bar follows the state) is the same link, and
    // everything but the runs' spelled-out default parameters is deep-equal.
    await expect.poll(async () => fresh.evaluate(() => location.href)).toBe(link);
    const strip = (e: unknown) => {
      const x = structuredClone(e) as { runs: { scheduler: { params?: unknown } }[] };
      for (const r of x.runs) delete r.scheduler.params;
      return x;
    };
    expect(strip((await state(fresh)).experiment)).toEqual(strip(a.experiment));
    expect((await state(fresh)).notice).toBeNull();
    await stepN(fresh, 40);
    const seriesB = await readSeries(fresh);
    for (let i = 0; i < 3; i++) {
      expect(seriesB[i].loss.slice(0, 40)).toEqual(seriesA[i].loss.slice(0, 40));
      expect(seriesB[i].lr.slice(0, 40)).toEqual(seriesA[i].lr.slice(0, 40));
    }
    await ctx.close();
    await page.context().close();
  });

  it("a corrupted link shows what was ignored and still trains", async () => {
    const { page, errors } = await openApp(
      "?v=1&backend=cpu&lr=banana&task=<b>x</b>&r0=GreedyLR&r0.factor=9&r0.patience=2&r1=Nope&zzz=1",
    );
    await ready(page);
    const alert = page.getByRole("alert").filter({ hasText: "ignored" });
    await expect.poll(async () => alert.count()).toBe(1);
    const text = (await alert.textContent())!;
    expect(text).toMatch(/lr=banana/);
    expect(text).toMatch(/factor/);
    expect(text).toMatch(/unknown scheduler "Nope"/);
    expect(text).toMatch(/unknown key "zzz"/);
    expect(await page.locator("b", { hasText: "x" }).count()).toBe(0);
    await stepN(page, 10);
    const s = await readSeries(page);
    expect(s).toHaveLength(1);
    expect(s[0].loss.every(Number.isFinite)).toBe(true);
    await page.getByRole("button", { name: "Dismiss notice" }).click();
    await expect.poll(async () => alert.count()).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  // These blanked the page while tfjs was loaded in it: its URL-flag parser ran decodeURIComponent on the query.
  for (const query of ["?z=%E0%A4%A", "?lesson=%E0%A4%A", "?backend=cpu&st%E0%A4%Aeps=9&r0=Constant"])
    it(`a link with a malformed percent escape (${query}) loads, says what it ignored, and trains`, async () => {
      const { page, errors } = await openApp(query);
      await expect
        .poll(async () => page.getByRole("status", { name: "Backend" }).getAttribute("data-backend"), {
          timeout: 60_000,
        })
        .toMatch(/^(cpu|wasm|webgl|webgpu)$/);
      const alert = page.getByRole("alert").filter({ hasText: "ignored" });
      await expect.poll(async () => alert.count()).toBe(1);
      expect(await alert.textContent()).toMatch(/corrupt|lesson=|unknown key/);
      await stepN(page, 5);
      const s = await readSeries(page);
      expect(s[0].loss.every(Number.isFinite)).toBe(true);
      expect(errors).toEqual([]);
      await page.context().close();
    });

  it("export JSON → import it → the same curves are shown", async () => {
    const { page } = await openApp("?backend=cpu");
    await ready(page);
    await stepN(page, 30);
    const before = await readSeries(page);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      exportAs(page, "JSON (experiment and runs)"),
    ]);
    const path = join(mkdtempSync(join(tmpdir(), "lrlab-")), "export.json");
    await download.saveAs(path);
    const json = readFileSync(path, "utf8");
    expect(JSON.parse(json).runs[1].loss).toEqual(before[1].loss);
    await page.getByRole("button", { name: "Reset", exact: true }).click();
    const [chooser] = await Promise.all([
      page.waitForEvent("filechooser"),
      page.getByRole("button", { name: "Import JSON…" }).click(),
    ]);
    await chooser.setFiles(path);
    await expect.poll(async () => (await state(page)).references.length).toBe(2);
    const refs = (await state(page)).references as { loss: number[]; lr: number[] }[];
    expect(refs[1].loss).toEqual(before[1].loss);
    expect(refs[0].lr).toEqual(before[0].lr);
    await expect
      .poll(async () => {
        const lines = await page
          .getByRole("figure", { name: "Loss chart" })
          .locator("canvas.lines")
          .getAttribute("data-lines");
        return (JSON.parse(lines ?? "[]") as { kind: string }[]).filter((l) => l.kind === "reference").length;
      })
      .toBe(2);
    await page.context().close();
  });

  it("an exported CSV of a run named =1+1 opens as text, not as a formula", async () => {
    const { page } = await openApp("?backend=cpu&r0=Constant&r0.name=%3D1%2B1&r1=GreedyLR&r1.name=-2");
    await ready(page);
    await stepN(page, 3);
    const [download] = await Promise.all([page.waitForEvent("download"), exportAs(page, "CSV (runs)")]);
    const path = join(mkdtempSync(join(tmpdir(), "lrlab-")), "runs.csv");
    await download.saveAs(path);
    const lines = readFileSync(path, "utf8").trim().split("\n");
    expect(lines[0]).toBe("run,scheduler,step,loss,lr");
    expect(lines[1]).toMatch(/^"'=1\+1",Constant,0,[0-9.e-]+,[0-9.e-]+$/);
    expect(lines.find((l) => l.includes("GreedyLR"))).toMatch(/^"'-2",GreedyLR,0,/);
    await page.context().close();
  });

  it("Export → PyTorch script and Jupyter notebook: the script reproduces the race in PyTorch, the notebook is valid", async () => {
    // A lesson's race (its text goes into the notebook), trained 40 steps here on tfjs CPU.
    const { page } = await openApp(
      "?backend=cpu&lesson=meet-greedylr&task=spiral&samples=200&bs=32&steps=40&r0=Constant&r1=GreedyLR&r1.patience=3&r1.max_lr=0.1&r2=ReduceLROnPlateau&r2.patience=4",
    );
    await ready(page);
    await stepN(page, 40);
    const app = await readSeries(page);
    const dir = mkdtempSync(join(tmpdir(), "lrlab-race-"));
    const [script] = await Promise.all([page.waitForEvent("download"), exportAs(page, "PyTorch script")]);
    const py = join(dir, script.suggestedFilename());
    await script.saveAs(py);
    expect(script.suggestedFilename()).toMatch(/\.py$/);
    const [nb] = await Promise.all([page.waitForEvent("download"), exportAs(page, "Jupyter notebook")]);
    const ipynb = join(dir, nb.suggestedFilename());
    await nb.saveAs(ipynb);
    await expect.poll(() => shareStatus(page)).toMatch(/\.ipynb saved \(\d+ KB\)/);
    // Debian's python3-nbformat validates the notebook; the lesson's text is in a Markdown cell.
    const python = process.env.PYTHON ?? "/usr/bin/python3";
    execFileSync(python, [
      "-c",
      `import nbformat, sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))`,
      ipynb,
    ]);
    const cells = JSON.parse(readFileSync(ipynb, "utf8")).cells as { cell_type: string; source: string[] }[];
    expect(cells.some((c) => c.cell_type === "markdown" && c.source.join("").includes("Meet GreedyLR"))).toBe(
      true,
    );
    // The script in Debian's PyTorch: the same LR at every step, the same loss to 1e-3.
    const out = JSON.parse(
      execFileSync(python, [py, "--json"], {
        encoding: "utf8",
        maxBuffer: 1 << 24,
        stdio: ["ignore", "pipe", "pipe"],
      }),
    ) as {
      runs: { name: string; loss: (number | null)[]; lr: (number | null)[] }[];
    };
    expect(out.runs.map((r) => r.loss.length)).toEqual(app.map(() => 40));
    out.runs.forEach((r, i) => {
      for (let t = 0; t < 40; t++) {
        expect(Math.abs(r.lr[t]! - app[i].lr[t]) / app[i].lr[t]).toBeLessThan(1e-6);
        expect(Math.abs(r.loss[t]! - app[i].loss[t]) / app[i].loss[t]).toBeLessThan(1e-3);
      }
    });
    await page.context().close();
  });

  it("a race PyTorch cannot mirror is refused with the reason, and nothing changes", async () => {
    const { page } = await openApp("?backend=cpu&r0=Constant&r1=Refined");
    await ready(page);
    const before = JSON.stringify((await state(page)).experiment);
    await exportAs(page, "PyTorch script");
    await expect.poll(() => shareStatus(page)).toMatch(/cannot be exported to PyTorch: .*Refined/);
    expect(JSON.stringify((await state(page)).experiment)).toBe(before);
    await page.context().close();
  });
});
