/** The scheduler engine: pure TypeScript, no tfjs, DOM or React. */

export * from "./golden";
export { scheduleFreeWarmup, scheduleFreeWeight } from "./optimizerSide";
export * from "./params";
export { greedyStep, isBetter } from "./plateau";
export * from "./preview";
export * from "./rangeTest";
export { medianFilter, refinedSchedule } from "./refined";
export * from "./registry";
export * from "./runtime";
export * from "./scheduleFreeAny";
export * from "./schedules";
export * from "./tex";
export * from "./types";
export * from "./vsgd";
