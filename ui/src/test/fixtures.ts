// Values shaped as the shell sends them, for component tests.
import type { DoorOutcome, SessionInfo, SyncStatus } from "../lib/bindings";

export const today = "2026-12-01";

export const fundamentals: SessionInfo = {
  key: { class: "0193a000-0000-7000-8000-000000000001", date: today },
  name: "Fundamentals",
  timing: "scheduled",
  starts: `${today}T18:00`,
  minutes: 60,
};

export const openMat: SessionInfo = { key: { class: "open-mat", date: today }, name: "Open mat", timing: "open_mat" };

export function admitted(name = "Ana Lima"): DoorOutcome {
  return {
    decision: { outcome: "admit", warnings: [] },
    student: { id: "s1", name, initials: "AL", rank: "Blue", color: "#1d4ed8", stripes: 2 },
    session: fundamentals,
    recorded: true,
  };
}

export const offline: SyncStatus = {
  connection: "offline",
  waiting: 3,
  last_sync: null,
  last_error: null,
  undone: [],
  clock_off_by_seconds: 0,
};
