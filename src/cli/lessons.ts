/**
 * `npm run --silent lessons -- [ID…] [--backend cpu|wasm]` — plays lessons to their end on the CPU backend in Node, with the
 * app's training code, and prints per run its final and peak loss, its decisions, and every lesson claim
 * that fails (with the figures). The unit test checks the same claims; this is the tool to tune a lesson.
 */
import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import type { ClaimRace } from "../experiment/claims";
import { blowUpAt, failedClaims, lossNear, lrMoves, peakLoss } from "../experiment/claims";
import { joinRaces, jointClaims, LESSONS, lessonRaces } from "../experiment/lessons";
import { replayLessonRace } from "../experiment/logs";
import { provideMnist } from "../train/mnist";
import { playExperiment } from "../train/play";
import { packMnist } from "./mnistPack";

const args = process.argv.slice(2);
const bi = args.indexOf("--backend");
const backend = bi >= 0 ? args[bi + 1] : "cpu";
const ids = args.filter((a, i) => !a.startsWith("--") && (bi < 0 || i !== bi + 1));
const fmt = (x: number | null | undefined) => (x === null || x === undefined ? "—" : x.toPrecision(3));
const unknown = ids.filter((id) => !LESSONS.some((l) => l.id === id));
if (unknown.length) {
  process.stderr.write(
    `lessons: unknown lesson ${unknown.join(", ")}; known: ${LESSONS.map((l) => l.id).join(", ")}\n`,
  );
  process.exit(1);
}
const log = console.log;
console.log = (...a: unknown[]) => process.stderr.write(`${a.join(" ")}\n`);
if (backend === "wasm") await import("../train/wasm");
else if (backend !== "cpu") {
  process.stderr.write(`lessons: --backend must be cpu or wasm, not ${backend}\n`);
  process.exit(1);
}
if (!(await tf.setBackend(backend))) {
  process.stderr.write(`lessons: the ${backend} backend did not start\n`);
  process.exit(1);
}
await tf.ready();
if (LESSONS.some((l) => l.experiment.task.kind === "mnist")) provideMnist(packMnist());

let failed = 0;
for (const l of LESSONS.filter((x) => !ids.length || ids.includes(x.id))) {
  const races: ClaimRace[] = [];
  for (const { label, experiment: e, claims } of lessonRaces(l)) {
    const t0 = performance.now();
    // A replay lesson trains nothing: its runs replay the bundled log it names.
    const race = e.view.replay
      ? replayLessonRace(e, readFileSync(`public/logs/${e.view.replay}`, "utf8"))
      : await playExperiment(e);
    races.push(race);
    const ms = performance.now() - t0;
    log(
      `\n${label}  [${l.id}, ${e.view.replay ? `${race.runs[0]?.steps.length ?? 0} logged points replayed` : `${e.steps} steps, ${backend}`}, ${(ms / 1000).toFixed(1)} s]`,
    );
    race.runs.forEach((r, i) => {
      const lr = r.lr.filter(Number.isFinite);
      log(
        `  ${e.runs[i].name.padEnd(26)} final ${fmt(lossNear(r))}  peak ${fmt(peakLoss(r))}  blow-up ${blowUpAt(r) ?? "—"}  LR ↑${lrMoves(r, 1)} ↓${lrMoves(r, -1)}  ${fmt(lr[0])} → max ${fmt(Math.max(...lr))} → ${fmt(lr[lr.length - 1])}${r.accuracy === undefined ? "" : `  held-out ${(100 * r.accuracy).toFixed(1)}%`}`,
      );
    });
    if (race.range) {
      const g = race.range;
      const sug = Object.entries(g.suggestions)
        .filter(([k, v]) => k !== "window" && v)
        .map(
          ([k, v]) => `${k} ${fmt((v as { lr: number }).lr)} (iteration ${(v as { index: number }).index})`,
        );
      log(`  range test (${g.flavor}): ${g.stop} iterations, ${g.reason}; ${sug.join(", ")}`);
    }
    const bad = failedClaims(claims, race);
    failed += bad.length;
    for (const c of claims) {
      const why = c.check(race);
      log(`  ${why === null ? "✓" : "✗"} ${c.says}${why === null ? "" : ` — ${why}`}`);
    }
  }
  const joint = jointClaims(l);
  if (joint.length && races.length === 2) {
    log(`\n${l.title} — both races`);
    const both = joinRaces(races[0], races[1]);
    for (const c of joint) {
      const why = c.check(both);
      if (why !== null) failed++;
      log(`  ${why === null ? "✓" : "✗"} ${c.says}${why === null ? "" : ` — ${why}`}`);
    }
  }
}
process.exit(failed ? 1 : 0);
