import { describe, expect, it } from "vitest";
import type { AttendanceRow } from "./bindings";
import { weekly } from "./attendance";

function on(date: string, voided = false): AttendanceRow {
  return {
    student: "s1",
    name: "Ana Lima",
    session: { class: "open-mat", date },
    at: `${date}T18:00:00Z`,
    by: "staff",
    method: "card",
    voided,
  };
}

describe("attendance by week", () => {
  const today = new Date(2026, 11, 3); // Thursday 3 December 2026

  it("counts each week from Monday, oldest first, ignoring voided check-ins", () => {
    const weeks = weekly([on("2026-11-30"), on("2026-12-03"), on("2026-11-29"), on("2026-12-01", true)], 2, today);
    expect(weeks).toEqual([
      { start: "2026-11-23", count: 1 },
      { start: "2026-11-30", count: 2 },
    ]);
  });

  it("leaves out check-ins before the first week shown", () => {
    const weeks = weekly([on("2026-01-05")], 4, today);
    expect(weeks.reduce((n, w) => n + w.count, 0)).toBe(0);
  });

  it("never loses a check-in inside the range, whatever the day", () => {
    const rows: AttendanceRow[] = [];
    for (let d = 0; d < 70; d += 1) {
      const date = new Date(2026, 9, 1 + d);
      if (date > today) break;
      rows.push(on(`${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`));
    }
    const weeks = weekly(rows, 52, today);
    expect(weeks.reduce((n, w) => n + w.count, 0)).toBe(rows.length);
  });
});
