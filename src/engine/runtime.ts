/**
 * A thin stateful handle over the pure spec functions, for loops that prefer `sched.step(obs)`.
 * The state stays a plain object: `handle.state` can be JSON-serialised and handed to `resume`.
 */
import { getSpec } from "./registry";
import type { Observation, Params, SchedulerConfig, SchedulerEvent, SchedulerSpec } from "./types";

export interface Scheduler {
  readonly spec: SchedulerSpec;
  params: Params;
  state: unknown;
  /** LR in effect for the next optimizer step. */
  readonly lr: number;
  readonly momentum: number | undefined;
  step(obs: Observation): { lr: number; events: SchedulerEvent[] };
  /** Live update: new parameters take effect from the next step; counters and best value are kept. */
  setParams(raw: Record<string, unknown>): void;
}

/** Validate a config (PyTorch/golden format) and build a handle. Throws ParamError on bad input. */
export function createScheduler(config: SchedulerConfig, baseLr: number, state?: unknown): Scheduler {
  const spec = getSpec(config.scheduler);
  const params = spec.parse(config.params ?? {}, config.children);
  if (!Number.isFinite(baseLr) || baseLr < 0)
    throw new Error(`base LR must be a finite number ≥ 0 (got ${baseLr})`);
  let st = state ?? spec.init(params, baseLr);
  const h: Scheduler = {
    spec,
    params,
    get state() {
      return st;
    },
    set state(v) {
      st = v;
    },
    get lr() {
      return spec.lr(st);
    },
    get momentum() {
      return spec.momentum?.(st);
    },
    step(obs) {
      const r = spec.step(h.params, st, obs);
      st = r.state;
      return { lr: r.lr, events: r.events };
    },
    setParams(raw) {
      h.params = spec.parse({ ...h.params, ...raw } as Record<string, unknown>, config.children);
    },
  };
  return h;
}
