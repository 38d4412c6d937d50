import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { mnistPlugin } from "./src/cli/mnistPack";

export default defineConfig({
  // mnistPlugin: the `mnist` package's digits, packed at build time into a lazily loaded chunk.
  plugins: [react(), mnistPlugin()],
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
