import { beforeEach, describe, expect, it } from "vitest";
import { render, screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import Roster from "./Roster.svelte";
import { app } from "../lib/app.svelte";
import { signedIn } from "../test/fixtures";
import { shell } from "../test/shell";

describe("the roster", () => {
  beforeEach(() => {
    app.state = signedIn();
    app.screen = "roster";
  });

  it("adds a student and opens their screen", async () => {
    const calls = shell({ roster: () => [], add_student: () => "new-student" });
    const user = userEvent.setup();
    render(Roster);
    await user.click(screen.getByRole("button", { name: "Add student" }));
    const form = within(screen.getByRole("form", { name: "New student" }));
    expect(form.queryByLabelText("Status")).toBeNull();
    await user.type(form.getByLabelText("Name"), "Rui Costa");
    await user.type(form.getByLabelText("Email"), "rui@example.com");
    await user.click(form.getByRole("button", { name: "Add student" }));

    expect(calls.filter((c) => c.cmd === "add_student").map((c) => c.args)).toEqual([
      { student: { name: "Rui Costa", email: "rui@example.com", phone: null, born_on: null, grade: null } },
    ]);
    expect(app.screen).toBe("student");
    expect(app.student).toBe("new-student");
  });

  it("cancels adding without writing anything", async () => {
    const calls = shell({ roster: () => [] });
    const user = userEvent.setup();
    render(Roster);
    await user.click(screen.getByRole("button", { name: "Add student" }));
    await user.type(screen.getByLabelText("Name"), "Rui");
    await user.click(screen.getByRole("button", { name: "Cancel" }));

    expect(screen.queryByRole("form", { name: "New student" })).toBeNull();
    expect(calls.some((c) => c.cmd === "add_student")).toBe(false);
  });
});
