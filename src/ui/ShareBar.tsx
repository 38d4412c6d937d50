/**
 * Share and export: copy the experiment's link; the Export menu: JSON (config + every run's per-step data), CSV,
 * PNG of the charts, and the whole race as a PyTorch script or Jupyter notebook; import a JSON export to open it again or overlay its runs as reference curves; the selected
 * run's scheduler as a PyTorch snippet.
 */
import { useEffect, useRef, useState } from "react";
import { csvRows, parseExport, toExportJson } from "../experiment/export";
import { pytorchSnippet } from "../experiment/pytorch";
import type { Audience } from "../experiment/url";
import { useLab } from "./context";
import { varResolver } from "./cssVars";
import { download, isLoopback, shareUrl } from "./share";

/** An SVG element as an image, with the page's colour variables resolved. */
async function svgImage(svg: SVGSVGElement): Promise<HTMLImageElement> {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  const text = varResolver()(new XMLSerializer().serializeToString(clone));
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
  await img.decode();
  return img;
}

/**
 * Every chart onto one canvas (side by side) as PNG: each chart's layers in their on-screen order — the axes
 * and grid (SVG), the lines (a canvas), the labels and markers over them (SVG).
 */
async function exportPng(): Promise<void> {
  const plots = [...document.querySelectorAll<HTMLElement>(".chart .plot")].filter((p) =>
    p.querySelector("svg.axes"),
  );
  if (!plots.length) throw new Error("no chart to export yet");
  const scale = 2;
  const boxes = plots.map((p) => p.getBoundingClientRect());
  const canvas = document.createElement("canvas");
  canvas.width = boxes.reduce((a, b) => a + b.width, 0) * scale;
  canvas.height = Math.max(...boxes.map((b) => b.height)) * scale;
  const ctx = canvas.getContext("2d")!;
  ctx.fillStyle = getComputedStyle(document.body).backgroundColor || "#ffffff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  let x = 0;
  for (const [i, plot] of plots.entries()) {
    const box = boxes[i];
    const layers = plot.querySelectorAll<SVGSVGElement | HTMLCanvasElement>(
      "svg.axes, canvas.lines, svg.overlay",
    );
    for (const layer of layers) {
      const r = layer.getBoundingClientRect();
      if (!r.width || !r.height) continue;
      const img = layer instanceof HTMLCanvasElement ? layer : await svgImage(layer);
      ctx.drawImage(
        img,
        (x + r.left - box.left) * scale,
        (r.top - box.top) * scale,
        r.width * scale,
        r.height * scale,
      );
    }
    x += box.width;
  }
  const blob = await new Promise<Blob | null>((r) => canvas.toBlob(r, "image/png"));
  if (!blob) throw new Error("the browser could not encode the PNG");
  download("lr-lab-charts.png", blob);
}

export function ShareBar() {
  const experiment = useLab((s) => s.experiment);
  const series = useLab((s) => s.series);
  const selected = useLab((s) => s.selected);
  const openExport = useLab((s) => s.openExport);
  const overlayExport = useLab((s) => s.overlayExport);
  const references = useLab((s) => s.references);
  const clearReferences = useLab((s) => s.clearReferences);
  const [status, setStatus] = useState<string | null>(null);
  const [showCode, setShowCode] = useState(false);
  const fileRef = useRef<HTMLInputElement>(null);
  const mode = useRef<"open" | "overlay">("open");
  const say = (m: string) => {
    setStatus(m);
    setTimeout(() => setStatus((s) => (s === m ? null : s)), Math.max(4000, m.length * 70));
  };
  const copy = async (audience: Audience) => {
    const url = shareUrl(experiment, audience);
    const local = isLoopback(location.hostname)
      ? ` This address (${location.hostname}) opens only on this computer: for a class, start LR Lab with \`npm start -- --lan\` and open it at the address that prints.`
      : "";
    try {
      await navigator.clipboard.writeText(url);
      say(`Link ${audience === "students" ? "for students" : "for presenting"} copied.${local}`);
    } catch {
      window.prompt(`Copy this link:${local}`, url);
    }
  };
  const runsData = () =>
    series.map((s) => ({
      steps: s.steps,
      loss: s.loss,
      lr: s.lr,
      events: s.events,
      divergedAt: s.divergedAt,
    }));
  const menuRef = useRef<HTMLDetailsElement>(null);
  const closeMenu = () => menuRef.current?.removeAttribute("open");
  const raceData = useLab((s) => s.raceData);
  /**
   * The whole race as PyTorch (experiment/raceExport.ts, loaded on demand): the worker hands over the race as
   * it started with its data and initial weights; an experiment PyTorch cannot mirror is refused with why.
   */
  const exportRace = async (format: "script" | "notebook") => {
    say(`Writing the race as a ${format === "script" ? "PyTorch script" : "Jupyter notebook"}…`);
    try {
      const [mod, reply] = await Promise.all([import("../experiment/raceExport"), raceData()]);
      // The race as it started is what is exported, so it is what is checked.
      const problems = mod.raceRefusals(reply.experiment);
      if (problems.length) {
        say(`This race cannot be exported to PyTorch: ${problems.join("; ")}.`);
        return;
      }
      const text =
        format === "script"
          ? mod.racePython(reply.experiment, reply.data)
          : mod.raceNotebook(reply.experiment, reply.data);
      const base = `lr-lab-${reply.experiment.view.lesson || "race"}`;
      download(
        format === "script" ? `${base}.py` : `${base}.ipynb`,
        new Blob([text], { type: format === "script" ? "text/x-python" : "application/x-ipynb+json" }),
      );
      say(
        `${format === "script" ? `${base}.py` : `${base}.ipynb`} saved (${Math.ceil(text.length / 1024)} KB): ${
          format === "script"
            ? "run it with python3 (needs torch; matplotlib for the plot)"
            : "open it in Jupyter"
        }.${
          reply.changes
            ? ` It trains the race as it started: the ${reply.changes} live change${reply.changes > 1 ? "s" : ""} made since ${reply.changes > 1 ? "are" : "is"} not in it.`
            : ""
        }`,
      );
    } catch (e) {
      say(`PyTorch export failed: ${(e as Error).message}`);
    }
  };
  const run = experiment.runs[selected] ?? experiment.runs[0];
  const opt = { sgd: "SGD", momentum: "Momentum", adam: "Adam", adamw: "AdamW" }[experiment.optimizer];
  // A schedule-free run exports its optimizer: that code (and its Python sources) loads when such a run is shown.
  const special = !!run.sf || run.scheduler.scheduler === "ScheduleFreePolyak";
  const [methods, setMethods] = useState<typeof import("../experiment/pytorchMethods") | null>(null);
  useEffect(() => {
    if (special && !methods) void import("../experiment/pytorchMethods").then(setMethods);
  }, [special, methods]);
  const code = special
    ? (methods?.runPython(run, experiment.baseLr, opt, experiment.steps) ?? "# loading…")
    : pytorchSnippet(run.scheduler, experiment.baseLr, opt, experiment.steps);
  return (
    <section className="share" aria-label="Share and export">
      <div className="row">
        <button type="button" onClick={() => copy("students")} title="No presenter mode, no autoplay">
          Copy link for students
        </button>
        <button type="button" onClick={() => copy("presenting")} title="Opens in presenter mode">
          Copy link for presenting
        </button>
        <details className="menu" ref={menuRef}>
          <summary>Export</summary>
          <div className="menu-items">
            <button
              type="button"
              onClick={() => {
                closeMenu();
                download(
                  "lr-lab-experiment.json",
                  new Blob([toExportJson(experiment, runsData())], { type: "application/json" }),
                );
              }}
            >
              JSON (experiment and runs)
            </button>
            <button
              type="button"
              onClick={async () => {
                closeMenu();
                // papaparse (behind the CSV writer) loads when a CSV is written, not with the page.
                const { toCsvText } = await import("../experiment/csv");
                const { fields, rows } = csvRows(experiment, runsData());
                download("lr-lab-runs.csv", new Blob([toCsvText(fields, rows)], { type: "text/csv" }));
              }}
            >
              CSV (runs)
            </button>
            <button
              type="button"
              onClick={() => {
                closeMenu();
                exportPng().then(
                  () => say("PNG saved."),
                  (e) => say(`PNG failed: ${(e as Error).message}`),
                );
              }}
            >
              PNG (charts)
            </button>
            <button
              type="button"
              title="The whole race as one Python file that reproduces it in PyTorch"
              onClick={() => {
                closeMenu();
                void exportRace("script");
              }}
            >
              PyTorch script
            </button>
            <button
              type="button"
              title="The same code as a Jupyter notebook, with the lesson's text"
              onClick={() => {
                closeMenu();
                void exportRace("notebook");
              }}
            >
              Jupyter notebook
            </button>
          </div>
        </details>
        <button
          type="button"
          onClick={() => {
            mode.current = "open";
            fileRef.current?.click();
          }}
        >
          Import JSON…
        </button>
        <button
          type="button"
          onClick={() => {
            mode.current = "overlay";
            fileRef.current?.click();
          }}
        >
          Overlay JSON…
        </button>
        {references.length ? (
          <button type="button" onClick={clearReferences}>
            Clear {references.length} reference{references.length > 1 ? "s" : ""}
          </button>
        ) : null}
        <button type="button" aria-expanded={showCode} onClick={() => setShowCode(!showCode)}>
          PyTorch code
        </button>
        <input
          ref={fileRef}
          type="file"
          accept="application/json,.json"
          aria-label="Import an LR Lab JSON export"
          hidden
          onChange={async (e) => {
            const f = e.target.files?.[0];
            e.target.value = "";
            if (!f) return;
            try {
              const file = parseExport(await f.text());
              if (mode.current === "open") openExport(file);
              else overlayExport(file);
              say(
                `${mode.current === "open" ? "Opened" : "Overlaid"} ${file.runs.length} run(s) from ${f.name}.${
                  file.ignored?.length ? ` Not taken: ${file.ignored.join("; ")}` : ""
                }`,
              );
            } catch (err) {
              say(`Import failed: ${(err as Error).message}`);
            }
          }}
        />
        {status ? (
          <output className="muted" aria-live="polite">
            {status}
          </output>
        ) : null}
      </div>
      {showCode ? (
        <figure className="code">
          <figcaption>
            {run.name}: the same scheduler in PyTorch{" "}
            <button
              type="button"
              onClick={() =>
                navigator.clipboard.writeText(code).then(
                  () => say("Code copied."),
                  () => {},
                )
              }
            >
              Copy code
            </button>
          </figcaption>
          <pre data-testid="pytorch-code">{code}</pre>
        </figure>
      ) : null}
    </section>
  );
}
