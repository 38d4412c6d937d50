import { defineConfig } from "vitest/config";
import { mnistPlugin } from "./src/cli/mnistPack";

export default defineConfig({
  plugins: [mnistPlugin()],
  test: {
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
    environment: "node",
    testTimeout: 60_000,
  },
});
