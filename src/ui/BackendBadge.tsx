import { useLab } from "./context";

export function BackendBadge() {
  const info = useLab((s) => s.backend);
  const error = useLab((s) => s.error);
  if (!info)
    return (
      <output className="badge" aria-label="Backend">
        {error ? "backend: failed" : "starting backend…"}
      </output>
    );
  const warn =
    info.webgpu === "software" ||
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
        {info.webgpu === "software" ? " — WebGPU adapter is a software fallback" : null}
        {info.webgpu === "unavailable" ? " — no WebGPU in this browser" : null}
        {info.webgpu === "hardware" && info.adapter ? ` — ${info.adapter}` : null}
      </span>
      <span className="reason">{info.reason}</span>
    </output>
  );
}
