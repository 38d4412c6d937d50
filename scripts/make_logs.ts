/**
 * `npx tsx scripts/make_logs.ts` — writes the two bundled example logs (synthetic, and said so in the UI):
 * - public/logs/noisy-finetune.json: a Trainer state file of a fine-tuning-like run — loss logged every 10
 *   steps, mini-batch noise, a few spikes, eval entries every 500 steps and the final summary entry;
 * - public/logs/smooth-pretrain.csv: a smooth pre-training-like curve (power-law decay, 0.1% noise), logged
 *   every 50 steps.
 * Seeded, so the files are the same on every run.
 */
import { writeFileSync } from "node:fs";
import { mulberry32 } from "../src/train/rng";

const gaussian = (rand: () => number) => () =>
  Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

const r4 = (x: number) => Number(x.toPrecision(5));

{
  const rand = mulberry32(7);
  const g = gaussian(rand);
  const history: Record<string, number>[] = [];
  const total = 30_000;
  for (let step = 10; step <= total; step += 10) {
    const base = 0.45 + 1.6 * Math.exp(-step / 2500);
    let loss = base * (1 + 0.12 * g());
    if (rand() < 0.01) loss *= 1.8 + rand(); // a bad batch
    const lr = 2e-5 * Math.min(1, step / 500) * (1 - step / (total + 10));
    history.push({
      epoch: r4(step / 10_000),
      grad_norm: r4(1 + 0.5 * Math.abs(g())),
      learning_rate: r4(lr),
      loss: r4(loss),
      step,
    });
    if (step % 500 === 0)
      history.push({ epoch: r4(step / 10_000), eval_loss: r4(base * 1.05), eval_runtime: 12.3, step });
  }
  history.push({ epoch: 3, step: total, total_flos: 1.2e16, train_loss: 0.61, train_runtime: 5421.7 });
  writeFileSync(
    "public/logs/noisy-finetune.json",
    `${JSON.stringify({ best_metric: null, epoch: 3, global_step: total, log_history: history, logging_steps: 10 }, null, 1)}\n`,
  );
}
{
  const rand = mulberry32(11);
  const g = gaussian(rand);
  const rows = ["step,loss"];
  for (let step = 50; step <= 100_000; step += 50)
    rows.push(`${step},${r4((2 + 8 * (1 + step / 1000) ** -0.6) * (1 + 0.001 * g()))}`);
  writeFileSync("public/logs/smooth-pretrain.csv", `${rows.join("\n")}\n`);
}
