/**
 * Size budgets of the built app (`npm run size`, part of `npm test` after the build), gzip. The page's initial
 * JS is read from dist/index.html: the entry script and every chunk it preloads — whatever names the bundler
 * gave them. tfjs lives only in the workers, so the page's budget is a fraction of theirs.
 */
const { readFileSync } = require("node:fs");

function initialJs() {
  let html = "";
  try {
    html = readFileSync("dist/index.html", "utf8");
  } catch {
    throw new Error("dist/index.html is missing: build first (npm run build)");
  }
  const files = [
    ...html.matchAll(/<(?:script[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="([^"]+\.js)"/g),
  ];
  return files.map((m) => `dist/${m[1].replace(/^(\.\/|\/)/, "")}`);
}

module.exports = [
  { name: "page: initial JS (entry + preloaded chunks)", path: initialJs(), limit: "200 KB", gzip: true },
  { name: "training worker", path: "dist/assets/worker-*.js", limit: "400 KB", gzip: true },
  { name: "sweep worker", path: "dist/assets/sweepWorker-*.js", limit: "420 KB", gzip: true },
];
