import { chromium } from "playwright-core";
import { preview } from "vite";

const server = await preview({ preview: { host: "127.0.0.1", port: 0 }, logLevel: "warn" });
const port = server.httpServer.address().port;
const b = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--enable-unsafe-webgpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
  ],
});
const p = await b.newPage({ viewport: { width: 1440, height: 1000 } });
p.on("console", (m) => console.log("console:", m.type(), m.text()));
await p.goto(`http://127.0.0.1:${port}/${process.argv[2] ?? ""}`);
await p.waitForTimeout(1500);
await p.getByRole("button", { name: /Play/ }).click();
await p.waitForTimeout(Number(process.argv[3] ?? 6000));
await p.screenshot({ path: process.argv[4] ?? "/tmp/shot.png", fullPage: true });
console.log(
  await p.evaluate(() =>
    JSON.stringify({
      step: window.lrlab.getState().step,
      rate: window.lrlab.getState().rate,
      backend: window.lrlab.getState().backend,
    }),
  ),
);
await b.close();
server.httpServer.close();
