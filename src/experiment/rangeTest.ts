/**
 * The LR range test as the page, links and lessons see it: plain data. The procedure itself is the engine's
 * (engine/rangeTest.ts); training through it is train/rangeTest.ts.
 */
import { RANGE_PARAMS, type RangeFlavor, type Suggestion, type Suggestions } from "../engine/rangeTest";
import type { Params } from "../engine/types";

/** One finished range test. */
export interface RangeRun {
  flavor: RangeFlavor;
  params: Params;
  /** Per recorded iteration: the LR, the raw loss and the recorded (smoothed) loss. */
  lr: number[];
  raw: number[];
  smoothed: number[];
  stop: number;
  /**
   * Why it ended: the flavour's divergence rule, all iterations done, a non-finite loss (LR Lab stops there;
   * the libraries would record NaN and go on), or cancelled.
   */
  reason: "diverged" | "complete" | "non-finite" | "cancelled" | "out of losses";
  /** The iteration (and its LR) whose loss was not finite. */
  diverged: { index: number; lr: number } | null;
  suggestions: Suggestions;
}

/** Each suggestion by name, in the flavour's order, with what it means in words (for the chart's legend). */
export const SUGGESTION_HELP: Record<string, string> = {
  valley: "fastai's default: halfway along the longest falling stretch of the loss (its docs say about 2/3)",
  slide: "where the loss curve's slope stops changing, walking back from the end",
  minimum: "the LR at the lowest loss, divided by 10",
  steep: "the steepest descent of the loss against log LR",
  steepest: "the steepest descent of the loss (torch-lr-finder)",
};

export function namedSuggestions(s: Suggestions): { name: string; s: Suggestion }[] {
  return Object.entries(s)
    .filter(([k, v]) => k !== "window" && v)
    .map(([name, v]) => ({ name, s: v as Suggestion }));
}

/** The suggestion a flavour offers first (fastai's lr_find default is valley). */
export const defaultSuggestion = (f: RangeFlavor) => (f === "fastai" ? "valley" : "steepest");

export { RANGE_PARAMS };
