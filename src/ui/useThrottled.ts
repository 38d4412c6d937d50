import { startTransition, useEffect, useRef, useState } from "react";
import { useLab } from "./context";

/**
 * The store's batch `version`, but changing at most once per `ms`: heavy views (charts, metrics) redraw a
 * few times per second while training streams ~10 batches per second, so no main-thread task runs long.
 */
export function useThrottledVersion(ms: number): number {
  const version = useLab((s) => s.version);
  const [shown, setShown] = useState(version);
  const last = useRef(0);
  useEffect(() => {
    if (version === shown) return;
    const wait = last.current + ms - performance.now();
    const id = setTimeout(
      () => {
        last.current = performance.now();
        // A transition: React renders the heavy views in slices and yields to the browser between them, so
        // several panels redrawing in the same tick do not add up to one long main-thread task.
        startTransition(() => setShown(version));
      },
      Math.max(0, wait),
    );
    return () => clearTimeout(id);
  }, [version, shown, ms]);
  return shown;
}
