// The academy's sessions on a given day, from its weekly schedule.
import type { SessionKey, TenantView, WeeklySlot } from "./bindings";

export const WEEKDAYS: WeeklySlot["weekday"][] = [
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
  "Sunday",
];

export type Planned = { key: SessionKey; name: string; starts: string | null };

/** The day's classes by start time, then the open mat (as the engine lists them). */
export function sessionsOn(academy: TenantView, date: string): Planned[] {
  const [y, m, d] = date.split("-").map(Number);
  const weekday = WEEKDAYS[(new Date(y, m - 1, d).getDay() + 6) % 7];
  const classes = academy.slots
    .filter((slot) => slot.weekday === weekday)
    .sort((a, b) => a.starts.localeCompare(b.starts))
    .map((slot) => ({
      key: { class: slot.class, date },
      name: academy.classes.find((c) => c.id === slot.class)?.name ?? "Class",
      starts: slot.starts,
    }));
  return [...classes, { key: { class: "open-mat", date }, name: "Open mat", starts: null }];
}
