// The app's shared state: what the shell said at start, kept current by its
// events. Screens read `app` and re-read their own data when `app.changed`
// counts a change of a kind they show.
import {
  deviceState,
  onEvent,
  type DeviceState,
  type CommandError,
  type DocKind,
  type SyncStatus,
} from "./bindings";
import { inkOn } from "./format";

export type Screen = "kiosk" | "roster" | "student" | "classes" | "belts" | "reports" | "settings";

export const app = $state({
  state: null as DeviceState | null,
  status: null as SyncStatus | null,
  /** Why the shell could not be reached at start. */
  failure: null as CommandError | null,
  screen: "kiosk" as Screen,
  /** The student the student screen shows. */
  student: null as string | null,
  changed: { tenant: 0, student: 0, staff: 0, roll: 0 } as Record<DocKind, number>,
});

/** Reads the app state again (after enrolment, unlock or lock). */
export async function refresh(): Promise<void> {
  try {
    const state = await deviceState();
    app.state = state;
    app.status = state.status;
    app.failure = null;
    applyTheme(state);
  } catch (error) {
    app.failure = error as CommandError;
  }
}

/** Follows the shell's events for the app's life. */
export async function follow(): Promise<void> {
  await onEvent("sync", (status) => {
    app.status = status;
  });
  await onEvent("changed", (kinds) => {
    for (const kind of kinds) app.changed[kind] += 1;
    if (kinds.includes("tenant")) void refresh();
  });
}

export function open(screen: Screen, student: string | null = null): void {
  app.screen = screen;
  if (student !== null) app.student = student;
}

/** The academy's colours become the app's. */
function applyTheme(state: DeviceState): void {
  const theme = state.academy?.theme;
  if (!theme) return;
  const root = document.documentElement.style;
  root.setProperty("--primary", theme.primary);
  root.setProperty("--on-primary", inkOn(theme.primary));
  root.setProperty("--accent", theme.accent);
}
