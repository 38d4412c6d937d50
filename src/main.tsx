import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { openLesson } from "./experiment/lessons";
import { decodeExperiment, encodeExperiment } from "./experiment/url";
import { appStore } from "./store/app";
import { workerClient } from "./store/client";
import { createLabStore } from "./store/lab";
import { App } from "./ui/App";
import { LabContext } from "./ui/context";
import "./ui/styles.css";

// The URL is the experiment: decode it (never throws; what was ignored is listed in a notice).
// A bare lesson link (?lesson=<id>) opens that lesson's own experiment.
const decoded = decodeExperiment(location.search);
const experiment = openLesson(location.search, decoded.experiment);
const ignored = decoded.ignored;
const store = createLabStore(workerClient(), experiment);
if (ignored.length)
  store.setState({
    notice: `Some parts of this link were ignored (defaults used instead):\n• ${ignored.join("\n• ")}`,
  });

// The address bar follows the experiment, without a history entry per slider move.
let urlTimer: ReturnType<typeof setTimeout> | undefined;
store.subscribe((s, prev) => {
  if (s.experiment === prev.experiment) return;
  clearTimeout(urlTimer);
  urlTimer = setTimeout(
    () => history.replaceState(null, "", `?${encodeExperiment(store.getState().experiment)}`),
    150,
  );
});
history.replaceState(null, "", `?${encodeExperiment(experiment)}`);

// Classroom flag: start training as soon as the backend is ready.
if (experiment.view.autoplay) {
  const off = store.subscribe((s) => {
    if (s.backend) {
      off();
      s.play();
    }
  });
}

// Offline after the first visit (vite-plugin-pwa / Workbox). A new deployment is only taken when the user says
// so: the waiting service worker then activates and the page reloads, whole.
if (import.meta.env.PROD && "serviceWorker" in navigator) {
  void import("virtual:pwa-register").then(({ registerSW }) => {
    const update = registerSW({
      onNeedRefresh: () => appStore.setState({ updateReady: true }),
      onOfflineReady: () => appStore.setState({ offlineReady: true }),
    });
    appStore.setState({ reload: () => void update(true) });
  });
}

// A handle for the console and the e2e tests: read-only inspection of the live state.
(window as unknown as { lrlab: typeof store }).lrlab = store;

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <LabContext.Provider value={store}>
      <App />
    </LabContext.Provider>
  </StrictMode>,
);
