/** Replay a training log: import with bad rows, live sliders, and a replay link that asks for its file again. */
import { afterAll, describe, expect, it } from "vitest";
import { baseLrOf, disconnect, openApp } from "./helpers";

afterAll(disconnect);

/** A noisy, flattening loss with a few bad rows: text, NaN, ∞ and a row without a step. */
function csvWithBadRows(): string {
  const rows = ["step,loss,learning_rate"];
  let seed = 1;
  const rand = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  for (let i = 1; i <= 3000; i++) {
    const loss = (0.5 + 2 * Math.exp(-i / 300)) * (1 + 0.1 * (rand() - 0.5));
    rows.push(
      i === 10
        ? "10,oops,0.001"
        : i === 20
          ? "20,NaN,0.001"
          : i === 30
            ? "30,inf,0.001"
            : `${i},${loss.toFixed(5)},0.001`,
    );
  }
  rows.push(",0.4,0.001");
  return `${rows.join("\n")}\n`;
}

describe("replay", () => {
  it("imports a CSV with bad rows, says what it left out, and recomputes live when patience is dragged; its link reopens with the same settings once the file is given again", async () => {
    const { page, errors } = await openApp("?backend=cpu");
    await page.getByRole("button", { name: "Replay a training log" }).click();
    const metrics = page.locator(".replay-metrics");
    await metrics.waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByRole("note").filter({ hasText: "Open loop" }).count()).toBe(1);

    const file = { name: "my-run.csv", mimeType: "text/csv", buffer: Buffer.from(csvWithBadRows()) };
    await page.locator('input[type="file"]').setInputFiles(file);
    const notes = page.getByRole("status", { name: "What the log reader did" });
    await expect
      .poll(() => notes.textContent(), { timeout: 30_000 })
      .toMatch(/3 rows have no finite "loss" \(1 hold text\)/);
    expect(await notes.textContent()).toMatch(/1 rows have no usable "step"/);
    await expect.poll(() => metrics.textContent()).toMatch(/× 2,997 points/);
    await expect.poll(() => page.url()).toContain("replay=my-run.csv");

    // The log's LR column is 0.001 throughout: the schedulers start there (and GreedyLR's bounds move with it).
    await expect.poll(() => baseLrOf(page)).toBe(0.001);
    // Drag run 0's patience slider to the right: one committed value, every trajectory recomputed.
    const decisions = metrics.locator('tr[data-run="0"] .decisions');
    const before = await decisions.textContent();
    const slider = page.getByRole("slider", { name: /^patience \(GreedyLR, patience 10\) slider$/ });
    await slider.scrollIntoViewIfNeeded(); // the mouse drags what is on screen
    const box = (await slider.boundingBox())!;
    await page.mouse.move(box.x + 4, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2, { steps: 10 });
    await page.mouse.up();
    await expect.poll(() => decisions.textContent()).not.toBe(before);
    const after = await decisions.textContent();
    const patience = await page
      .getByRole("textbox", { name: /^patience \(GreedyLR, patience 10\)$/ })
      .inputValue();
    expect(Number(patience)).toBeGreaterThan(10);

    // The link carries the settings, not the log: a fresh page asks for the file, then shows the same replay.
    await expect.poll(() => page.url()).toContain(`r0.patience=${patience}`);
    const link = page.url();
    const second = await page.context().newPage();
    await second.goto(link);
    await expect
      .poll(() => second.getByText("This link replays “my-run.csv”").count(), { timeout: 30_000 })
      .toBe(1);
    await second.locator('input[type="file"]').setInputFiles(file);
    const m2 = second.locator('.replay-metrics tr[data-run="0"] .decisions');
    await expect.poll(() => m2.textContent(), { timeout: 30_000 }).toBe(after);
    expect(
      await second.getByRole("textbox", { name: /^patience \(GreedyLR, patience 10\)$/ }).inputValue(),
    ).toBe(patience);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("starts the schedulers at the run's peak logged LR (it warmed up to it), offers the base LR, and refuses a binary file as 'not a text log'", async () => {
    const { page, errors } = await openApp("?backend=cpu");
    await page.getByRole("button", { name: "Replay a training log" }).click();
    await page.locator(".replay-metrics").waitFor({ timeout: 30_000 });
    // Warmup to 2e-4 over 100 steps, then cosine decay: the run was configured with 2e-4.
    const rows = ["step,loss,learning_rate"];
    for (let i = 1; i <= 1000; i++) {
      const lr = i <= 100 ? (2e-4 * i) / 100 : 1e-4 * (1 + Math.cos((Math.PI * (i - 100)) / 900));
      rows.push(`${i},${(0.5 + 2 * Math.exp(-i / 200)).toFixed(5)},${lr}`);
    }
    await page
      .locator('input[type="file"]')
      .setInputFiles({ name: "warm.csv", mimeType: "text/csv", buffer: Buffer.from(`${rows.join("\n")}\n`) });
    const base = () => baseLrOf(page);
    await expect.poll(base, { timeout: 30_000 }).toBe(2e-4);
    await expect
      .poll(() => page.getByRole("status").filter({ hasText: "peak logged LR" }).textContent())
      .toMatch(/starts at the run's peak logged LR, 0\.0002/);
    // The log's last LR is 0 (the cosine ends there): the log-scale LR chart still draws every line (a 0 is a gap).
    const lrChart = page.locator(".replay-charts figure").nth(1);
    await expect
      .poll(async () => {
        const ds = await lrChart
          .locator("path.recharts-curve")
          .evaluateAll((ps) => ps.map((p) => p.getAttribute("d") ?? ""));
        return ds.filter((d) => d.length > 20 && !d.includes("NaN")).length;
      })
      .toBe(4);
    const field = page.getByRole("textbox", { name: "base LR" });
    expect(await field.inputValue()).toBe("0.0002");
    await field.fill("0.0001");
    await field.press("Enter");
    await expect.poll(base).toBe(1e-4);

    // A binary file: named as not a text log, no preview of garbage.
    const binary = Buffer.from(Uint8Array.from({ length: 20000 }, (_, i) => (i * 7919) % 256));
    await page
      .locator('input[type="file"]')
      .setInputFiles({ name: "model.bin", mimeType: "application/octet-stream", buffer: binary });
    await expect
      .poll(() => page.getByRole("alert").filter({ hasText: "model.bin" }).textContent(), { timeout: 30_000 })
      .toMatch(/model\.bin is not a text log/);
    expect(await page.locator(".replay .preview").count()).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
