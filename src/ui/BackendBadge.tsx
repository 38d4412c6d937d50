import { useLab } from "./context";

/** "wasm 4.1 ms · webgl 22 ms": the measured step times, fastest first. */
function times(t: Partial<Record<string, number>>): string {
  return Object.entries(t)
    .filter((e): e is [string, number] => typeof e[1] === "number")
    .sort((a, b) => a[1] - b[1])
    .map(([b, ms]) => `${b} ${ms >= 10 ? Math.round(ms) : ms.toPrecision(2)} ms`)
    .join(" · ");
}

export function BackendBadge() {
  const info = useLab((s) => s.backend);
  const error = useLab((s) => s.error);
  const auto = useLab((s) => s.experiment.backend === "auto");
  if (!info)
    return (
      <output className="badge" aria-label="Backend">
        <span>{error ? "backend: failed" : "starting training…"}</span>
        <span className="reason">{auto ? "auto: WASM first, the others measured while it trains" : " "}</span>
      </output>
    );
  const m = info.measured;
  const warn =
    (!m && !info.measuring && info.webgpu === "software") ||
    info.backend !== (info.requested === "auto" ? info.backend : info.requested);
  return (
    <output
      className={`badge ${warn ? "warn" : ""}`}
      aria-label="Backend"
      title={info.reason}
      data-backend={info.backend}
    >
      <span>
        <strong>{info.backend}</strong>
        {m ? (
          <span className="detail">
            {" "}
            — fastest here: <span className="times">{times(m.times)} per step</span>
          </span>
        ) : null}
        {!m && info.measuring ? (
          <span className="detail"> — measuring the others while it trains…</span>
        ) : null}
        {!m && !info.measuring && info.webgpu === "software"
          ? " — WebGPU adapter is a software fallback"
          : null}
        {!m && info.webgpu === "unavailable" ? " — no WebGPU in this browser" : null}
        {!m && info.webgpu === "hardware" && info.adapter ? ` — ${info.adapter}` : null}
      </span>
      <span className="reason">{info.reason}</span>
    </output>
  );
}
