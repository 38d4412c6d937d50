#!/usr/bin/env node
/**
 * Serves the built app (dist/) — `npm start` runs it after the build.
 *
 *   node scripts/serve.mjs [--lan] [--port 5173] [--prefix /lr-lab/] [--dir dist]
 *
 * --lan     listen on every network interface and print the addresses students type (a lecture hall with a
 *           local network and no internet: the app needs no network beyond this server).
 * --prefix  serve under a sub-path, as a department's web folder or GitHub Pages would (the build uses
 *           relative URLs, so it runs from any prefix).
 *
 * Every response carries the app's Content-Security-Policy (workers take theirs from the HTTP header, not from
 * the page's <meta>). For a class on one Wi-Fi: the build's precompressed files (.br, .gz) are sent to browsers
 * that accept them, hashed assets (assets/name-hash.ext) are cached for a year as immutable, and index.html, the
 * service worker and the manifest are never cached, so a new deployment is seen at the next visit.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { networkInterfaces } from "node:os";
import { resolve } from "node:path";
import sirv from "sirv";

/** The app's Content-Security-Policy (scripts/csp.json: the page's <meta> is built from the same list). */
export const CSP = JSON.parse(readFileSync(new URL("./csp.json", import.meta.url), "utf8")).join("; ");

export function parseArgs(argv) {
  const o = { lan: false, port: 5173, prefix: "/", dir: "dist" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--lan") o.lan = true;
    else if (a === "--port") o.port = Number(argv[++i]);
    else if (a === "--prefix") o.prefix = argv[++i];
    else if (a === "--dir") o.dir = argv[++i];
    else if (a === "--help" || a === "-h") o.help = true;
    else throw new Error(`unknown option ${a} (try --help)`);
  }
  if (!o.prefix.startsWith("/")) o.prefix = `/${o.prefix}`;
  if (!o.prefix.endsWith("/")) o.prefix = `${o.prefix}/`;
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw new Error("--port must be 0–65535");
  return o;
}

/** Hashed build assets never change under their name; the entry points must always be revalidated. */
export function cacheControl(path) {
  if (/^\/?assets\/.+-[A-Za-z0-9_-]{8}\.[a-z0-9]+$/.test(path)) return "public, max-age=31536000, immutable";
  return "no-cache";
}

/** An HTTP server for `dir` under `prefix`; resolves once listening, with its port. */
export function serve({ dir = "dist", prefix = "/", host = "127.0.0.1", port = 0 } = {}) {
  const files = sirv(resolve(dir), {
    etag: true,
    brotli: true,
    gzip: true,
    setHeaders: (res, path) => {
      res.setHeader("Content-Security-Policy", CSP);
      res.setHeader("Cache-Control", cacheControl(path));
    },
  });
  const server = createServer((req, res) => {
    const url = req.url ?? "/";
    if (prefix !== "/" && (url === prefix.slice(0, -1) || url.startsWith(`${prefix.slice(0, -1)}?`))) {
      res.writeHead(301, { Location: prefix + url.slice(prefix.length - 1) });
      res.end();
      return;
    }
    if (!url.startsWith(prefix)) {
      res.writeHead(404, { "Content-Type": "text/plain" });
      res.end(`LR Lab is served under ${prefix}\n`);
      return;
    }
    req.url = `/${url.slice(prefix.length)}`;
    files(req, res, () => {
      res.writeHead(404, { "Content-Type": "text/plain" });
      res.end("not found\n");
    });
  });
  return new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => ok({ server, port: server.address().port }));
  });
}

/** The addresses other machines on the network can reach this one at (IPv4, not loopback). */
export function lanAddresses() {
  return Object.values(networkInterfaces())
    .flat()
    .filter((i) => i && i.family === "IPv4" && !i.internal)
    .map((i) => i.address);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let o;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`serve: ${e.message}`);
    process.exit(2);
  }
  if (o.help) {
    console.log("usage: node scripts/serve.mjs [--lan] [--port 5173] [--prefix /lr-lab/] [--dir dist]");
    process.exit(0);
  }
  const host = o.lan ? "0.0.0.0" : "127.0.0.1";
  serve({ dir: o.dir, prefix: o.prefix, host, port: o.port })
    .then(({ port }) => {
      console.log(`LR Lab is running at http://127.0.0.1:${port}${o.prefix} (this computer)`);
      if (o.lan) {
        const addrs = lanAddresses();
        if (addrs.length) {
          console.log("Students on the same network open:");
          for (const a of addrs) console.log(`  http://${a}:${port}${o.prefix}`);
          console.log("Open it at that address yourself too, so that Copy link gives links they can open.");
        } else console.log("No network interface found: students cannot reach this computer.");
      } else
        console.log("Only this computer can open it. For a class on a local network: npm start -- --lan");
    })
    .catch((e) => {
      console.error(
        `serve: ${e.code === "EADDRINUSE" ? `port ${o.port} is in use (try --port 0)` : e.message}`,
      );
      process.exit(1);
    });
}
