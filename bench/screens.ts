/**
 * `npm run screens` — screenshots of the built app as its users see it, into bench/out/ (not committed):
 * a projector at 1280×720 and 1024×768 in presenter mode (a lesson, 8 runs, noise on), a student's laptop at
 * 1366×768, a phone at 390×844, and the projector view as a deuteranope and a protanope see it (Machado et al.
 * 2009, severity 1, applied as an SVG colour matrix in linear RGB). Served under a sub-path by the plain static
 * server, as a class would host it. SHOTS_STEPS (default 400) steps are trained before each shot. The laptop
 * shot of the first screen is also the README's screenshot (docs/screenshot.png).
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "../e2e/global-setup";
// @ts-expect-error -- a plain ES module without types
import { serve } from "../scripts/serve.mjs";
import { experimentSchema, RUN_COLORS } from "../src/experiment/config";
import { lessonById } from "../src/experiment/lessons";
import { encodeExperiment } from "../src/experiment/url";

export const CVD = {
  deuteranopia: [0.367322, 0.860646, -0.227968, 0.280085, 0.672501, 0.047413, -0.01182, 0.04294, 0.968881],
  protanopia: [0.152286, 1.052583, -0.204868, 0.114503, 0.786281, 0.099216, -0.003882, -0.048116, 1.051998],
};

const STEPS = Number(process.env.SHOTS_STEPS ?? 400);
mkdirSync("bench/out", { recursive: true });
const { server, port } = await serve({ dir: "dist", prefix: "/lr-lab/" });
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });

const lesson = lessonById("noise-recovery")!;
const eight = experimentSchema.parse({
  ...lesson.experiment,
  runs: [
    "GreedyLR",
    "Constant",
    "CosineAnnealingLR",
    "ReduceLROnPlateau",
    "ExponentialLR",
    "StepLR",
    "OneCycleLR",
    "CosineAnnealingWarmRestarts",
  ].map((id, i) => ({
    name: id.replace("Annealing", "").replace("LROnPlateau", "Plateau"),
    color: RUN_COLORS[i],
    scheduler:
      id === "GreedyLR"
        ? lesson.experiment.runs[0].scheduler
        : id === "CosineAnnealingLR"
          ? { scheduler: id, params: { T_max: lesson.experiment.steps } }
          : id === "OneCycleLR"
            ? {
                scheduler: id,
                params: { max_lr: lesson.experiment.baseLr, total_steps: lesson.experiment.steps },
              }
            : id === "ExponentialLR"
              ? { scheduler: id, params: { gamma: 0.998 } }
              : id === "StepLR"
                ? { scheduler: id, params: { step_size: 300, gamma: 0.5 } }
                : id === "CosineAnnealingWarmRestarts"
                  ? { scheduler: id, params: { T_0: 250 } }
                  : { scheduler: id },
  })),
  view: { ...lesson.experiment.view, present: true },
});

const shots: { name: string; w: number; h: number; query: string; cvd?: keyof typeof CVD }[] = [
  { name: "presenter-1280x720", w: 1280, h: 720, query: encodeExperiment(eight) },
  { name: "presenter-1024x768", w: 1024, h: 768, query: encodeExperiment(eight) },
  {
    name: "presenter-1280x720-deuteranopia",
    w: 1280,
    h: 720,
    query: encodeExperiment(eight),
    cvd: "deuteranopia",
  },
  {
    name: "presenter-1280x720-protanopia",
    w: 1280,
    h: 720,
    query: encodeExperiment(eight),
    cvd: "protanopia",
  },
  { name: "laptop-1366x768", w: 1366, h: 768, query: "" },
  { name: "laptop-1366x768-lesson", w: 1366, h: 768, query: "lesson=plateau-vs-greedy" },
  { name: "phone-390x844", w: 390, h: 844, query: "" },
];
for (const s of shots) {
  const ctx = await browser.newContext({
    viewport: { width: s.w, height: s.h },
    serviceWorkers: "block",
    bypassCSP: true,
  });
  const page = await ctx.newPage();
  await page.goto(`http://127.0.0.1:${port}/lr-lab/?${s.query}`);
  await page.waitForFunction("window.lrlab.getState().backend !== null", null, { timeout: 60_000 });
  await page.evaluate(`window.lrlab.getState().setSpeed(null); window.lrlab.getState().stepOnce(${STEPS})`);
  await page.waitForFunction(`window.lrlab.getState().step >= ${STEPS}`, null, { timeout: 120_000 });
  await page.waitForTimeout(1200);
  if (s.cvd) {
    const m = CVD[s.cvd];
    await page.evaluate(`(() => {
      const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      svg.setAttribute("width", "0"); svg.setAttribute("height", "0"); svg.style.position = "absolute";
      svg.innerHTML = '<filter id="cvd" color-interpolation-filters="linearRGB"><feColorMatrix type="matrix" values="${m.slice(0, 3).join(" ")} 0 0 ${m.slice(3, 6).join(" ")} 0 0 ${m.slice(6, 9).join(" ")} 0 0 0 0 0 1 0"/></filter>';
      document.body.appendChild(svg);
      document.documentElement.style.filter = "url(#cvd)";
    })()`);
    await page.waitForTimeout(200);
  }
  await page.screenshot({ path: `bench/out/${s.name}.png` });
  // The README's screenshot: a student's laptop on the first screen.
  if (s.name === "laptop-1366x768") copyFileSync(`bench/out/${s.name}.png`, "docs/screenshot.png");
  const overflow = (await page.evaluate(
    "document.documentElement.scrollWidth - window.innerWidth",
  )) as number;
  console.log(`${s.name}.png${overflow > 0 ? ` (overflows ${overflow} px horizontally)` : ""}`);
  await ctx.close();
}
await browser.close();
server.close();
