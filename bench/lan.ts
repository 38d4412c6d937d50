/**
 * `npm run bench:lan` — 30 students open LR Lab at once from the teacher's machine (`scripts/serve.mjs`, the
 * server `npm start -- --lan` runs), over loopback on this machine.
 *
 * Each student is a browser: its own keep-alive connections (6, as Chromium opens per host), index.html first,
 * then what a first visit needs to train — the page's scripts and styles, the training worker, the WASM binary
 * and the MNIST digits chunk — then the rest that the service worker precaches for offline use. Two ways are
 * measured side by side, in interleaved rounds (medians of BENCH_ROUNDS, default 3):
 * - "compressed": `Accept-Encoding: br, gzip`, as every current browser sends (the server sends the build's .br);
 * - "uncompressed": no encoding accepted, which is what every student downloaded before the build shipped
 *   precompressed files.
 *
 * Printed: bytes on the wire per student (first visit, and with the precache), the time until all 30 students
 * have the first-visit files, and that time for a shared 50 Mbit/s Wi-Fi computed from the bytes (loopback has
 * no bandwidth limit, so the measured time is the server's own cost). Needs a build (`npm run bench:lan` builds).
 */
import { Agent, get } from "node:http";
import { performance } from "node:perf_hooks";
// @ts-expect-error -- a plain ES module without types
import { serve } from "../scripts/serve.mjs";

const STUDENTS = Number(process.env.BENCH_STUDENTS ?? 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WIFI_MBIT = 50;

const { server, port } = await serve({ dir: process.env.BENCH_DIST ?? "dist", prefix: "/" });
const base = `http://127.0.0.1:${port}/`;

/** GET a path; resolves with the bytes on the wire (the body as sent, before any decoding). */
function fetchWire(agent: Agent, path: string, encoding: string): Promise<{ bytes: number; body: Buffer }> {
  return new Promise((ok, fail) => {
    const req = get(`${base}${path}`, { agent, headers: { "accept-encoding": encoding } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        fail(new Error(`${path}: HTTP ${res.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const body = Buffer.concat(chunks);
        ok({ bytes: body.length, body });
      });
      res.on("error", fail);
    });
    req.on("error", fail);
  });
}

/** What a first visit fetches to train, and the rest of the precache, read from the build itself. */
async function fileLists(): Promise<{ first: string[]; rest: string[] }> {
  const agent = new Agent({ keepAlive: true });
  const html = (await fetchWire(agent, "index.html", "identity")).body.toString();
  const page = [...html.matchAll(/(?:src|href)="\.\/([^"]+\.(?:js|css))"/g)].map((m) => m[1]);
  const sw = (await fetchWire(agent, "sw.js", "identity")).body.toString();
  const wb = sw.match(/importScripts\("\.\/(workbox-[^"]+\.js)"\)/)?.[1];
  const precached = [...sw.matchAll(/url:"([^"]+)"/g)].map((m) => m[1].replace(/^\.\//, ""));
  const pick = (re: RegExp) => precached.filter((u) => re.test(u));
  const first = [
    ...page,
    ...pick(/^assets\/worker-[^/]+\.js$/),
    ...pick(/^assets\/tfjs-backend-wasm-simd-[^/]+\.wasm$/),
    ...pick(/^assets\/_virtual_mnist-[^/]+\.js$/),
  ];
  const rest = [
    "sw.js",
    ...(wb ? [wb] : []),
    ...precached.filter((u) => !first.includes(u) && u !== "index.html"),
  ];
  agent.destroy();
  return { first, rest };
}

interface Visit {
  firstBytes: number;
  allBytes: number;
  firstMs: number;
}

async function student(first: string[], rest: string[], encoding: string): Promise<Visit> {
  const agent = new Agent({ keepAlive: true, maxSockets: 6 });
  const t0 = performance.now();
  let firstBytes = (await fetchWire(agent, "index.html", encoding)).bytes;
  const got = await Promise.all(first.map((p) => fetchWire(agent, p, encoding)));
  firstBytes += got.reduce((a, g) => a + g.bytes, 0);
  const firstMs = performance.now() - t0;
  const more = await Promise.all(rest.map((p) => fetchWire(agent, p, encoding)));
  agent.destroy();
  return { firstBytes, allBytes: firstBytes + more.reduce((a, g) => a + g.bytes, 0), firstMs };
}

async function classOf(first: string[], rest: string[], encoding: string) {
  const t0 = performance.now();
  const visits = await Promise.all(Array.from({ length: STUDENTS }, () => student(first, rest, encoding)));
  return {
    firstBytes: visits[0].firstBytes,
    allBytes: visits[0].allBytes,
    allFirstMs: Math.max(...visits.map((v) => v.firstMs)),
    totalMs: performance.now() - t0,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const MB = (b: number) => `${(b / 1e6).toFixed(2)} MB`;
const wifiS = (bytes: number) => ((bytes * STUDENTS * 8) / (WIFI_MBIT * 1e6)).toFixed(1);

const { first, rest } = await fileLists();
console.log(`first visit: index.html + ${first.length} files (${first.join(", ")})`);
console.log(`then the precache: ${rest.length} more files`);
const modes = { compressed: "br, gzip", uncompressed: "identity" } as const;
const res: Record<string, Awaited<ReturnType<typeof classOf>>[]> = { compressed: [], uncompressed: [] };
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 ? (["uncompressed", "compressed"] as const) : (["compressed", "uncompressed"] as const);
  for (const m of order) res[m].push(await classOf(first, rest, modes[m]));
}
console.log(
  `\n${STUDENTS} students at once, ${ROUNDS} interleaved rounds (medians), scripts/serve.mjs over loopback`,
);
console.log(
  "| served | first visit, per student | with the offline precache | all first visits done (loopback) | first visits over a shared 50 Mbit/s Wi-Fi (computed) |",
);
console.log("|---|---|---|---|---|");
for (const m of ["compressed", "uncompressed"] as const) {
  const x = res[m];
  const fb = median(x.map((v) => v.firstBytes));
  console.log(
    `| ${m} | ${MB(fb)} | ${MB(median(x.map((v) => v.allBytes)))} | ${median(x.map((v) => v.allFirstMs)).toFixed(0)} ms | ${wifiS(fb)} s |`,
  );
}
server.close();
