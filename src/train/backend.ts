/**
 * Picks the tfjs backend. WebGPU is preferred on real hardware; a *software* WebGPU adapter (SwiftShader,
 * `isFallbackAdapter`) is ~50× slower than WASM for these small models (each kernel launch ~0.7 ms), so
 * "auto" then picks WASM and says why. Every choice is verified by `tf.setBackend`'s result (it quietly
 * returns false when a backend cannot start) and a tiny computation.
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-webgpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import wasmPlain from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url";
import wasmSimd from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url";
import wasmThreaded from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url";
import "./wasm"; // the WASM backend with its Slice fixed (see wasm.ts)
import type { BackendInfo, BackendName } from "./protocol";

// Threaded WASM breaks in a minified build (its worker factory is passed as source text): single-threaded SIMD.
tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
setWasmPaths({
  "tfjs-backend-wasm.wasm": wasmPlain,
  "tfjs-backend-wasm-simd.wasm": wasmSimd,
  "tfjs-backend-wasm-threaded-simd.wasm": wasmThreaded,
});

interface GpuAdapterLike {
  info?: { isFallbackAdapter?: boolean; vendor?: string; architecture?: string; description?: string };
  isFallbackAdapter?: boolean;
}

export async function probeWebGpu(): Promise<{ kind: BackendInfo["webgpu"]; adapter?: string }> {
  const gpu = (
    globalThis.navigator as Navigator & { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }
  )?.gpu;
  if (!gpu) return { kind: "unavailable" };
  try {
    const a = await gpu.requestAdapter();
    if (!a) return { kind: "unavailable" };
    const soft = a.info?.isFallbackAdapter ?? a.isFallbackAdapter ?? false;
    const name =
      [a.info?.vendor, a.info?.architecture, a.info?.description].filter(Boolean).join(" ") || undefined;
    return { kind: soft ? "software" : "hardware", adapter: name };
  } catch {
    return { kind: "unavailable" };
  }
}

export async function tryBackend(name: BackendName): Promise<string | null> {
  try {
    const ok = await tf.setBackend(name);
    if (!ok) return `${name} could not start`;
    await tf.ready();
    const v = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0]);
    return v === 3 ? null : `${name} computed 1 + 2 = ${v}`;
  } catch (e) {
    return `${name} failed: ${(e as Error).message}`;
  }
}

export async function selectBackend(
  requested: BackendInfo["requested"],
  avoid: BackendName[] = [],
): Promise<BackendInfo> {
  const probe = await probeWebGpu();
  const notes: string[] = [];
  let order: BackendName[];
  if (requested === "auto") {
    if (probe.kind === "hardware") order = ["webgpu", "wasm", "webgl", "cpu"];
    else {
      notes.push(
        probe.kind === "software"
          ? "WebGPU adapter is a software fallback (SwiftShader), ~50× slower here: using the fastest backend instead"
          : "WebGPU unavailable in this browser",
      );
      order = ["wasm", "cpu", "webgl"];
    }
  } else {
    order = [requested, "wasm", "cpu"].filter((b, i, a) => a.indexOf(b) === i) as BackendName[];
    if (requested === "webgpu" && probe.kind === "software")
      notes.push("WebGPU is a software fallback adapter (slow)");
  }
  order = order.filter((b) => !avoid.includes(b));
  for (const b of order) {
    if (b === "webgpu" && probe.kind === "unavailable") {
      notes.push("WebGPU unavailable");
      continue;
    }
    const err = await tryBackend(b);
    if (err === null) {
      const reason = [
        ...notes,
        requested === "auto" || requested === b
          ? `training on ${b}`
          : `${requested} failed, training on ${b}`,
      ].join("; ");
      return { backend: b, requested, webgpu: probe.kind, adapter: probe.adapter, reason };
    }
    notes.push(err);
  }
  throw new Error(`no tfjs backend could start: ${notes.join("; ")}`);
}
