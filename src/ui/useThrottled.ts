import { type RefObject, startTransition, useContext, useEffect, useState } from "react";
import { LabContext } from "./context";

/**
 * One clock for every view that follows the training stream. Views ask to redraw at most every `ms` (a
 * multiple of TICK); on each tick the light views due (a run's live LR, the step counter, the internals) redraw
 * together in one animation frame, and the heavy ones (the charts, the metrics) together in the next — aligned
 * to the same tick instead of each view on its own timer (~25 scattered frames of work per second while a race
 * trained). Two frames, not one: everything in one frame made long tasks (bench:ui, 1–3 tasks of 55–106 ms in
 * 10 s); not one per heavy view either: every frame lays out, paints and commits the page again, and a frame
 * per heavy view cost the page about 3 points of a core more (bench:ui-busy). requestAnimationFrame
 * does not run in a hidden tab: nothing is drawn there, and the frames after the tab shows again bring every
 * view up to date. A view scrolled out of sight (an IntersectionObserver says so) redraws only every
 * OFFSCREEN_MS, and at once when it scrolls back in.
 */
const TICK = 500;
const OFFSCREEN_MS = 2000;
interface View {
  ms: number;
  heavy: boolean;
  last: number;
  due: boolean;
  ref?: RefObject<Element | null>;
  fire(): void;
}
const views = new Set<View>();
let armed = false;
/** Elements of views known to be out of sight; the others count as in sight. */
const offscreen = new WeakSet<Element>();
const watched = new WeakSet<Element>();
let observer: IntersectionObserver | null = null;

function inSight(v: View): boolean {
  const el = v.ref?.current;
  if (!el || typeof IntersectionObserver === "undefined") return true;
  if (!watched.has(el)) {
    watched.add(el);
    observer ??= new IntersectionObserver((entries) => {
      let back = false;
      for (const e of entries) {
        if (e.isIntersecting) {
          back ||= offscreen.has(e.target);
          offscreen.delete(e.target);
        } else offscreen.add(e.target);
      }
      if (back) arm();
    });
    observer.observe(el);
  }
  return !offscreen.has(el);
}

function arm(): void {
  if (armed) return;
  armed = true;
  const now = performance.now();
  // The next point of the shared grid, so that views armed at different moments still fire together.
  setTimeout(() => requestAnimationFrame(run), Math.ceil((now + 1) / TICK) * TICK - now);
}

function run(): void {
  armed = false;
  const now = performance.now();
  const light: View[] = [];
  const heavy: View[] = [];
  let waiting = false;
  for (const v of views)
    if (v.due && now - v.last >= (inSight(v) ? v.ms : OFFSCREEN_MS) - TICK / 2) {
      (v.heavy ? heavy : light).push(v);
    } else if (v.due) waiting = true;
  const queue = [light, heavy].filter((f) => f.length);
  const next = () => {
    const frame = queue.shift();
    if (!frame) return;
    startTransition(() => {
      for (const v of frame)
        if (views.has(v)) {
          v.due = false;
          v.last = performance.now();
          v.fire();
        }
    });
    if (queue.length) requestAnimationFrame(next);
  };
  next();
  if (waiting) arm();
}

/**
 * The store's batch `version`, but changing at most once per `ms`: heavy views (charts, metrics) redraw a few
 * times per second while training streams ~5 batches per second, so no main-thread task runs long.
 *
 * It subscribes to the store directly rather than through React: a React subscription (useSyncExternalStore)
 * would re-render the calling view synchronously on every batch, inside the worker's message handler. Here a
 * batch only marks the view due, and the shared clock redraws it as a transition (rendered in slices, yielding
 * to the browser). `heavy`: the view redraws in the heavy views' frame, after the light ones'. `ref`: the view's element, so
 * that it redraws rarely while out of sight.
 */
export function useThrottledVersion(ms: number, heavy = false, ref?: RefObject<Element | null>): number {
  const store = useContext(LabContext);
  if (!store) throw new Error("useThrottledVersion outside <LabContext.Provider>");
  const [shown, setShown] = useState(() => store.getState().version);
  useEffect(() => {
    const view: View = {
      ms: Math.max(TICK, Math.round(ms / TICK) * TICK),
      heavy,
      last: performance.now(),
      due: false,
      ref,
      fire: () => setShown(store.getState().version),
    };
    views.add(view);
    const mark = () => {
      view.due = true;
      arm();
    };
    const unsubscribe = store.subscribe((s, prev) => {
      if (s.version !== prev.version) mark();
    });
    // A batch that arrived before the subscription.
    mark();
    return () => {
      unsubscribe();
      views.delete(view);
    };
  }, [store, ms, heavy, ref]);
  return shown;
}
