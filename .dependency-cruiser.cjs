/**
 * The architecture's import rules, checked by `npm run lint:deps` (part of `npm test`). The README's map is
 * this file in words:
 *
 *   ui  →  store  →  experiment  →  engine        (the page: never tfjs)
 *                    train  →  experiment, engine (tfjs, inside the workers)
 *
 * - engine imports nothing of the project above it, and no tfjs, React, zustand or DOM (the DOM is kept out
 *   by tsconfig.engine.json, which compiles the engine without the DOM library);
 * - experiment is plain data: no train, no tfjs, no UI;
 * - train may import experiment and the engine, never the store or the UI;
 * - the page (main.tsx, store, ui) reaches no tfjs by any path, and of src/train it may import only the
 *   message protocol (types); the workers are started by URL (`new Worker(new URL(...))`);
 * - no cycles.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      severity: "error",
      comment: "Import cycles hide the layering and make module order matter.",
      from: {},
      to: { circular: true },
    },
    {
      name: "engine-is-pure",
      severity: "error",
      comment: "src/engine is pure TypeScript: nothing above it, no tfjs, React, zustand or chart code.",
      from: { path: "^src/engine/", pathNot: "\\.test\\.ts$" },
      to: {
        pathNot: ["^src/engine/", "^node_modules/@types/"],
        dependencyTypesNot: ["core"],
      },
    },
    {
      name: "engine-no-node-builtins",
      severity: "error",
      comment: "The engine runs in browsers and workers too: no Node built-ins.",
      from: { path: "^src/engine/", pathNot: "\\.test\\.ts$" },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "experiment-is-plain-data",
      severity: "error",
      comment:
        "src/experiment imports only the engine, itself and plain libraries (zod, lz-string, papaparse, d3-scale): no train, no tfjs, no UI.",
      from: { path: "^src/experiment/" },
      to: {
        path: [
          "^src/(train|store|ui|cli)/",
          "@tensorflow",
          "^node_modules/(react|react-dom|recharts|zustand)/",
        ],
      },
    },
    {
      name: "train-below-the-page",
      severity: "error",
      comment:
        "src/train (the workers) may import experiment and the engine, never the store, the UI or React.",
      from: { path: "^src/train/", pathNot: "\\.test\\.ts$" },
      to: { path: ["^src/(store|ui|cli)/", "^node_modules/(react|react-dom|recharts|zustand)/"] },
    },
    {
      name: "page-imports-only-the-protocol-of-train",
      severity: "error",
      comment:
        "The page talks to the workers through messages: of src/train it imports the protocol types only.",
      from: { path: "^src/(ui|store|main\\.tsx)" },
      to: { path: "^src/train/", pathNot: "^src/train/protocol\\.ts$" },
    },
    {
      name: "page-never-reaches-tfjs",
      severity: "error",
      comment: "tfjs lives only in the workers: nothing the page loads may lead to it, by any path.",
      from: { path: "^src/(ui|store|main\\.tsx)" },
      to: { path: "@tensorflow", reachable: true },
    },
    {
      name: "store-below-ui",
      severity: "error",
      comment: "The store is testable without React: it never imports the UI.",
      from: { path: "^src/store/" },
      to: { path: ["^src/ui/", "^node_modules/(react|react-dom|recharts)/"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^dist/" },
    // Type-only imports count: a type import of a tfjs-laden module still couples the layers.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".json"],
    },
    moduleSystems: ["es6", "cjs"],
  },
};
