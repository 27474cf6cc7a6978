import { describe, expect, it } from "vitest";
import { render, screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import Classes from "./Classes.svelte";
import { app } from "../lib/app.svelte";
import type { DeviceState, AttendanceRow } from "../lib/bindings";
import { isoDay } from "../lib/format";

const today = isoDay(new Date());

function row(name: string, voided = false): AttendanceRow {
  return {
    student: name,
    name,
    session: { class: "open-mat", date: today },
    at: `${today}T18:05:00Z`,
    by: "staff",
    method: "card",
    voided,
  };
}

describe("classes", () => {
  it("shows the week's timetable by day", () => {
    app.state = {
      academy: {
        classes: [{ id: "c1", name: "Fundamentals", color: "#1d4ed8" }],
        slots: [{ id: "s1", class: "c1", weekday: "Wednesday", starts: "18:00", minutes: 60 }],
      },
    } as unknown as DeviceState;
    render(Classes);
    const wednesday = screen.getByRole("heading", { name: "Wednesday" }).parentElement!;
    expect(within(wednesday).getByText("Fundamentals")).toBeTruthy();
    expect(within(wednesday).getByText("18:00")).toBeTruthy();
  });

  it("shows a session's roll and takes back a mistaken check-in", async () => {
    app.state = { academy: { classes: [], slots: [] } } as unknown as DeviceState;
    let rows = [row("Ana Lima"), row("Bruno Costa")];
    const voided: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "roll") return rows;
      if (cmd === "void_check_in") {
        voided.push(args);
        rows = [row("Ana Lima"), row("Bruno Costa", true)];
        return true;
      }
      return null;
    });
    const user = userEvent.setup();
    render(Classes);
    await user.click(screen.getByRole("button", { name: /Open mat/ }));
    expect((await screen.findByText(/2 checked in/)).textContent).toContain("Open mat");
    const bruno = screen.getByText("Bruno Costa").closest("tr")!;
    await user.click(within(bruno).getByRole("button", { name: "Take back" }));
    expect(await screen.findByText(/1 checked in/)).toBeTruthy();
    expect(voided).toEqual([{ student: "Bruno Costa", session: { class: "open-mat", date: today } }]);
  });
});
