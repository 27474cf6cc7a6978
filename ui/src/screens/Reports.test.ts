import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import Reports from "./Reports.svelte";
import type { AttendanceReport } from "../lib/bindings";

const shown: AttendanceReport = {
  from: "2026-11-01",
  to: "2026-11-30",
  classes: [
    { class: "c1", name: "Fundamentals", check_ins: 42, sessions: 8 },
    { class: "open-mat", name: "Open mat", check_ins: 5, sessions: 4 },
  ],
  weeks: [
    { start: "2026-10-26", check_ins: 10 },
    { start: "2026-11-02", check_ins: 37 },
  ],
  attending: 31,
  active: 120,
  paused: 4,
  inactive: 9,
};

describe("reports", () => {
  it("shows check-ins per class, active students and the trend", async () => {
    mockIPC((cmd) => (cmd === "report" ? shown : null));
    render(Reports);
    expect(await screen.findByText("Fundamentals")).toBeTruthy();
    expect(screen.getByText("5.3")).toBeTruthy(); // 42 check-ins over 8 sessions
    expect(screen.getByText("120").parentElement?.textContent).toContain("active students");
    expect(screen.getByText("47").parentElement?.textContent).toContain("check-ins");
    expect(screen.getByRole("img", { name: /Check-ins per week/ })).toBeTruthy();
  });

  it("exports the chosen period and says where the file went", async () => {
    const asked: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "export_attendance") {
        asked.push(args);
        return "/home/desk/Downloads/tatami-attendance.csv";
      }
      return cmd === "report" ? shown : null;
    });
    const user = userEvent.setup();
    render(Reports);
    await user.click(screen.getByRole("button", { name: "Export CSV" }));
    expect((await screen.findByRole("status")).textContent).toBe("Saved to /home/desk/Downloads/tatami-attendance.csv");
    const period = (asked[0] as { period: { from: string; to: string } }).period;
    expect(period.from < period.to).toBe(true);
  });

  it("says why a period cannot be shown", async () => {
    mockIPC((cmd) => {
      if (cmd === "report") throw { code: "invalid", message: "the period ends before it starts" };
      return null;
    });
    render(Reports);
    expect((await screen.findByRole("alert")).textContent).toBe("the period ends before it starts");
  });
});
