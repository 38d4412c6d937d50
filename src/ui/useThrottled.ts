import { startTransition, useContext, useEffect, useRef, useState } from "react";
import { LabContext } from "./context";

/**
 * The store's batch `version`, but changing at most once per `ms`: heavy views (charts, metrics) redraw a
 * few times per second while training streams ~10 batches per second, so no main-thread task runs long.
 *
 * It subscribes to the store directly rather than through React: a React subscription (useSyncExternalStore)
 * would re-render the calling view synchronously on every batch, inside the worker's message handler. Here a
 * batch only arms a timer, and the redraw runs as a transition (rendered in slices, yielding to the browser).
 */
export function useThrottledVersion(ms: number): number {
  const store = useContext(LabContext);
  if (!store) throw new Error("useThrottledVersion outside <LabContext.Provider>");
  const [shown, setShown] = useState(() => store.getState().version);
  const last = useRef(0);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const fire = () => {
      timer = null;
      last.current = performance.now();
      const v = store.getState().version;
      startTransition(() => setShown(v));
    };
    const arm = () => {
      if (timer === null) timer = setTimeout(fire, Math.max(0, last.current + ms - performance.now()));
    };
    const unsubscribe = store.subscribe((s, prev) => {
      if (s.version !== prev.version) arm();
    });
    // A batch that arrived between this render and the subscription.
    if (store.getState().version !== shown) arm();
    return () => {
      unsubscribe();
      if (timer !== null) clearTimeout(timer);
    };
  }, [store, ms, shown]);
  return shown;
}
