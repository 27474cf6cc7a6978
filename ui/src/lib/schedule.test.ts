import { describe, expect, it } from "vitest";
import type { TenantView } from "./bindings";
import { sessionsOn } from "./schedule";

const academy = {
  classes: [
    { id: "c1", name: "Fundamentals", color: null },
    { id: "c2", name: "Advanced", color: null },
  ],
  slots: [
    { id: "s1", class: "c2", weekday: "Tuesday", starts: "19:30", minutes: 60 },
    { id: "s2", class: "c1", weekday: "Tuesday", starts: "18:00", minutes: 60 },
    { id: "s3", class: "c1", weekday: "Thursday", starts: "18:00", minutes: 60 },
  ],
} as unknown as TenantView;

describe("a day's sessions", () => {
  it("lists the day's classes by start time, then the open mat", () => {
    const tuesday = sessionsOn(academy, "2026-12-01");
    expect(tuesday.map((s) => [s.name, s.starts])).toEqual([
      ["Fundamentals", "18:00"],
      ["Advanced", "19:30"],
      ["Open mat", null],
    ]);
    expect(tuesday[0].key).toEqual({ class: "c1", date: "2026-12-01" });
  });

  it("has only the open mat on a day without classes", () => {
    expect(sessionsOn(academy, "2026-12-06").map((s) => s.key.class)).toEqual(["open-mat"]);
  });
});
