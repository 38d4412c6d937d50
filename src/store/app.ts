/**
 * The app's own state, apart from the lab: whether a new version is ready to load (the service worker has it
 * precached and waits) and whether the app now works offline. One small vanilla store; main.tsx connects it
 * to the service worker, the UI shows it.
 */
import { createStore } from "zustand/vanilla";

export interface AppState {
  /** A new deployment is precached and waiting: reloading switches to it whole. */
  updateReady: boolean;
  /** Everything the app runs on is cached: it works without a network from now on. */
  offlineReady: boolean;
  /** Switch to the waiting version and reload (set by main.tsx once the service worker is registered). */
  reload(): void;
  dismiss(): void;
}

export const createAppStore = () =>
  createStore<AppState>()((set) => ({
    updateReady: false,
    offlineReady: false,
    reload: () => location.reload(),
    dismiss: () => set({ updateReady: false, offlineReady: false }),
  }));

export const appStore = createAppStore();
