import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  worker: { format: "es" },
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
