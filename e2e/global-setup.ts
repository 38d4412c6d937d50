/**
 * e2e global setup: serves the *built* app (dist/, built by `npm run test:e2e`) on 127.0.0.1 with Vite's
 * preview server, and launches ONE headless Debian Chromium (playwright-core, no browser download) that every
 * test file connects to. The endpoints reach the tests through vitest's provide/inject.
 */
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import { preview } from "vite";
import type { TestProject } from "vitest/node";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--enable-unsafe-webgpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    wsEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  if (!existsSync("dist/index.html"))
    throw new Error("dist/ is missing: run `npm run test:e2e` (it builds first)");
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  const server = await preview({
    preview: { host: "127.0.0.1", port: 0, strictPort: false },
    logLevel: "warn",
  });
  const addr = server.httpServer.address();
  const port = typeof addr === "object" && addr ? addr.port : 4173;
  const browser = await chromium.launchServer({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  project.provide("baseUrl", `http://127.0.0.1:${port}/`);
  project.provide("wsEndpoint", browser.wsEndpoint());
  return async () => {
    await browser.close();
    await new Promise<void>((r) => server.httpServer.close(() => r()));
  };
}
