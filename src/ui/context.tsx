import { createContext, useContext } from "react";
import { useStore } from "zustand";
import type { LabState, LabStore } from "../store/lab";

export const LabContext = createContext<LabStore | null>(null);

export function useLab<T>(selector: (s: LabState) => T): T {
  const store = useContext(LabContext);
  if (!store) throw new Error("useLab outside <LabContext.Provider>");
  return useStore(store, selector);
}
