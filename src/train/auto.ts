/**
 * "auto": the fastest backend for *this* experiment on *this* device, measured rather than guessed — without
 * making anyone wait for it. A first visit trains at once on WASM, which is always usable; every usable backend
 * (WASM, hardware WebGPU, WebGL; never a software WebGPU adapter) is then measured *while the race trains*, on
 * a copy of the race in a second instance of the worker, in interleaved rounds with medians (measure.ts), and
 * the race moves only to a backend that is clearly faster (autoMeasure.ts, session.ts). The choice and its times are kept per device and task in IndexedDB
 * (idb-keyval, which works in workers), so the next visit starts on it; a choice that training later
 * contradicts is measured again and not kept. An explicit backend in the link never comes here.
 */
import * as tf from "@tensorflow/tfjs";
import { del, get, set } from "idb-keyval";
import type { Experiment } from "../experiment/config";
import { probeWebGpu, selectBackend, tryBackend } from "./backend";
import type { BackendInfo, BackendName } from "./protocol";

/** Interleaved rounds, and the steps each backend takes per round. */
export const MEASURE_ROUNDS = 5;
export const MEASURE_STEPS = 6;
/** Another backend must be this much faster (median against median) before training moves to it. */
export const SWITCH_RATIO = 1.3;
/** Training that runs this much slower than its backend was measured at has the choice measured again. */
export const CONTRADICTION_RATIO = 2;

interface Cached {
  backend: BackendName;
  times: Partial<Record<BackendName, number>>;
}

/** What the session measures in the background: the cache key, and the backends to race against the current. */
export interface AutoJob {
  key: string;
  task: string;
  /** Every usable backend ("auto" may train on): the session measures those it is not training on. */
  usable: BackendName[];
  /** The note on the WebGPU probe the badge keeps ("software fallback, not measured"). */
  soft: string;
}

export interface AutoPlan {
  info: BackendInfo;
  job: AutoJob;
  /** Measure now (a first visit); false when the cache answered: measured again only if training contradicts it. */
  measure: boolean;
}

/**
 * Where "auto" starts: the cached choice for this device and task, or WASM at once with the other usable
 * backends left to measure while training. If WASM cannot start, the fixed order (it ends on the CPU backend).
 */
export async function autoStart(exp: Experiment): Promise<AutoPlan> {
  const probe = await probeWebGpu();
  const nav = globalThis.navigator;
  const device = [probe.kind, probe.adapter ?? "", nav?.userAgent ?? "", nav?.hardwareConcurrency ?? ""].join(
    "|",
  );
  const task = exp.task.kind;
  const base = { requested: "auto" as const, webgpu: probe.kind, adapter: probe.adapter };
  const soft =
    probe.kind === "software"
      ? "the WebGPU adapter is a software fallback (SwiftShader), not measured; "
      : "";
  const usable: BackendName[] = [
    ...(probe.kind === "hardware" ? (["webgpu"] as const) : []),
    "wasm",
    "webgl",
  ];
  const job: AutoJob = { key: `lrlab:auto:${device}:${task}`, task, usable, soft };
  const cached = (await get<Cached>(job.key).catch(() => undefined)) ?? null;
  if (cached && (await tryBackend(cached.backend)) === null)
    return {
      info: {
        ...base,
        backend: cached.backend,
        measured: { times: cached.times, cached: true, task },
        reason: `${soft}measured earlier on this device for this task`,
      },
      job,
      measure: false,
    };
  if ((await tryBackend("wasm")) !== null) return { info: await selectBackend("auto"), job, measure: false };
  const others = usable.filter((b) => b !== "wasm");
  return {
    info: {
      ...base,
      backend: "wasm",
      measuring: true,
      reason: `${soft}training on WASM at once; ${others.join(" and ")} ${others.length > 1 ? "are" : "is"} measured on this race while it trains`,
    },
    job,
    measure: true,
  };
}

/** Makes `name` the backend new tensors go to (tensors already made stay on theirs); null, or what failed. */
export async function useBackend(name: BackendName): Promise<string | null> {
  if (tf.getBackend() === name) return null;
  return (await tf.setBackend(name)) ? null : `${name} could not start`;
}

export const saveChoice = (key: string, backend: BackendName, times: Cached["times"]) =>
  set(key, { backend, times } satisfies Cached).catch(() => undefined);

export const forgetChoice = (key: string) => del(key).catch(() => undefined);
