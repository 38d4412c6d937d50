import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BACKENDS, defaultExperiment, type Experiment } from "./experiment/config";
import { workerClient } from "./store/client";
import { createLabStore } from "./store/lab";
import { App } from "./ui/App";
import { LabContext } from "./ui/context";
import "./ui/styles.css";

function initialExperiment(): Experiment {
  const e = defaultExperiment();
  const b = new URLSearchParams(location.search).get("backend");
  if (b && (BACKENDS as readonly string[]).includes(b)) e.backend = b as Experiment["backend"];
  return e;
}

const store = createLabStore(workerClient(), initialExperiment());
// A handle for the console and the e2e tests: read-only inspection of the live state.
(window as unknown as { lrlab: typeof store }).lrlab = store;

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <LabContext.Provider value={store}>
      <App />
    </LabContext.Provider>
  </StrictMode>,
);
