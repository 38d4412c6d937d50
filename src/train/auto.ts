/**
 * "auto": the fastest backend for *this* experiment on *this* device, measured rather than guessed. Each
 * usable backend (hardware WebGPU, WebGL, WASM; never a software WebGPU adapter) trains a throwaway copy of
 * the experiment for about a second, in the worker, so the page paints and responds meanwhile; the fastest
 * wins. The choice and the times are kept per device and task in IndexedDB (idb-keyval), so the next visit
 * starts at once. An explicit backend in the link never comes here.
 */
import { get, set } from "idb-keyval";
import type { Experiment } from "../experiment/config";
import { probeWebGpu, selectBackend, tryBackend } from "./backend";
import { loadMnist } from "./mnist";
import type { BackendInfo, BackendName } from "./protocol";
import { Trainer } from "./trainer";

/** How long each backend trains the experiment, after its warm-up steps. */
export const MEASURE_MS = 1000;

/**
 * Milliseconds per step of `exp` on the current backend: two warm-up steps (shader compilation, first
 * allocations), then steps for about `budgetMs`. Every step reads its losses back, so GPU work is included.
 * A backend whose warm-up alone exceeds 3 × the budget is timed by that step and not kept waiting.
 */
export async function msPerStep(exp: Experiment, budgetMs = MEASURE_MS): Promise<number> {
  if (exp.task.kind === "mnist") await loadMnist();
  const tr = new Trainer(exp);
  try {
    let t0 = performance.now();
    await tr.trainStep();
    const first = performance.now() - t0;
    if (first > 3 * budgetMs) return first;
    await tr.trainStep();
    t0 = performance.now();
    let n = 0;
    do {
      await tr.trainStep();
      n++;
    } while (performance.now() - t0 < budgetMs && n < 500);
    return (performance.now() - t0) / n;
  } finally {
    tr.dispose();
  }
}

interface Cached {
  backend: BackendName;
  times: Partial<Record<BackendName, number>>;
}

export async function autoBackend(exp: Experiment): Promise<BackendInfo> {
  const probe = await probeWebGpu();
  const nav = globalThis.navigator;
  const device = [probe.kind, probe.adapter ?? "", nav?.userAgent ?? "", nav?.hardwareConcurrency ?? ""].join(
    "|",
  );
  const key = `lrlab:auto:${device}:${exp.task.kind}`;
  const base = { requested: "auto" as const, webgpu: probe.kind, adapter: probe.adapter };
  const soft =
    probe.kind === "software"
      ? "the WebGPU adapter is a software fallback (SwiftShader), not measured; "
      : "";
  const cached = (await get<Cached>(key).catch(() => undefined)) ?? null;
  if (cached && (await tryBackend(cached.backend)) === null)
    return {
      ...base,
      backend: cached.backend,
      measured: { times: cached.times, cached: true, task: exp.task.kind },
      reason: `${soft}measured earlier on this device for this task`,
    };
  const candidates: BackendName[] = [
    ...(probe.kind === "hardware" ? (["webgpu"] as const) : []),
    "wasm",
    "webgl",
  ];
  const times: Partial<Record<BackendName, number>> = {};
  const notes: string[] = [];
  for (const b of candidates) {
    const err = await tryBackend(b);
    if (err) {
      notes.push(err);
      continue;
    }
    try {
      times[b] = await msPerStep(exp);
    } catch (e) {
      notes.push(`${b} failed while measuring: ${(e as Error).message}`);
    }
  }
  const ranked = (Object.entries(times) as [BackendName, number][]).sort((a, b) => a[1] - b[1]);
  for (const [b] of ranked)
    if ((await tryBackend(b)) === null) {
      await set(key, { backend: b, times } satisfies Cached).catch(() => undefined);
      return {
        ...base,
        backend: b,
        measured: { times, cached: false, task: exp.task.kind },
        reason: `${soft}${notes.length ? `${notes.join("; ")}; ` : ""}each usable backend trained this experiment for about ${MEASURE_MS / 1000} s`,
      };
    }
  // Nothing could be measured: the fixed order (it ends on the CPU backend).
  return selectBackend("auto");
}
