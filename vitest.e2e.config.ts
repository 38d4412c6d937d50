import { defineConfig } from "vitest/config";
import { mnistPlugin } from "./src/cli/mnistPack";

// e2e: drives Debian's Chromium (playwright-core) against the *built* app served on 127.0.0.1.
// One Chromium is launched for the whole run (globalSetup) and every test file connects to it.
export default defineConfig({
  plugins: [mnistPlugin()],
  test: {
    include: ["e2e/**/*.e2e.ts"],
    globalSetup: ["e2e/global-setup.ts"],
    environment: "node",
    testTimeout: 180_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    maxWorkers: 1,
  },
});
