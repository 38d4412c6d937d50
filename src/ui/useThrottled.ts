import { startTransition, useContext, useEffect, useState } from "react";
import { LabContext } from "./context";

/**
 * One clock for every view that follows the training stream. Views ask to redraw at most every `ms` (a
 * multiple of TICK); all of those due redraw together, in ONE animation frame per tick, so the page lays out
 * and paints once per tick instead of once per view (every view on its own timer meant ~25 separate frames of
 * work per second while a race trained). requestAnimationFrame does not run in a hidden tab: nothing is drawn
 * there, and the first frame after the tab shows again brings every view up to date.
 */
const TICK = 250;
interface View {
  ms: number;
  last: number;
  due: boolean;
  fire(): void;
}
const views = new Set<View>();
let armed = false;

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
  let waiting = false;
  // One transition for every view due: React renders them in one pass, the browser paints once.
  startTransition(() => {
    for (const v of views)
      if (v.due && now - v.last >= v.ms - TICK / 2) {
        v.due = false;
        v.last = now;
        v.fire();
      } else if (v.due) waiting = true;
  });
  if (waiting) arm();
}

/**
 * The store's batch `version`, but changing at most once per `ms`: heavy views (charts, metrics) redraw a few
 * times per second while training streams ~10 batches per second, so no main-thread task runs long.
 *
 * It subscribes to the store directly rather than through React: a React subscription (useSyncExternalStore)
 * would re-render the calling view synchronously on every batch, inside the worker's message handler. Here a
 * batch only marks the view due, and the shared clock redraws it as a transition (rendered in slices, yielding
 * to the browser).
 */
export function useThrottledVersion(ms: number): number {
  const store = useContext(LabContext);
  if (!store) throw new Error("useThrottledVersion outside <LabContext.Provider>");
  const [shown, setShown] = useState(() => store.getState().version);
  useEffect(() => {
    const view: View = {
      ms: Math.max(TICK, Math.round(ms / TICK) * TICK),
      last: performance.now(),
      due: false,
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
  }, [store, ms]);
  return shown;
}
