import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import Student from "./Student.svelte";
import { app } from "../lib/app.svelte";
import { ana, anaProfile, signedIn } from "../test/fixtures";
import { shell } from "../test/shell";

describe("the student screen", () => {
  beforeEach(() => {
    app.state = signedIn();
  });

  it("edits the profile, writing only what changed", async () => {
    let shown = anaProfile();
    const calls = shell({
      profile: () => shown,
      edit_student: () => {
        shown = { ...shown, student: { ...shown.student, phone: "912345678", status: "paused" } };
        return null;
      },
    });
    const user = userEvent.setup();
    render(Student, { id: ana.id });
    await user.click(await screen.findByRole("button", { name: "Edit profile" }));
    const form = within(screen.getByRole("form", { name: "Edit profile" }));
    expect(form.getByLabelText<HTMLInputElement>("Email").value).toBe("ana@example.com");
    await user.type(form.getByLabelText("Phone"), "912345678");
    await user.selectOptions(form.getByLabelText("Status"), "Paused");
    await user.click(form.getByRole("button", { name: "Save" }));

    expect((await screen.findByRole("status")).textContent).toBe("Profile saved.");
    expect(calls.filter((c) => c.cmd === "edit_student").map((c) => c.args)).toEqual([
      { student: ana.id, patch: { phone: "912345678", status: "paused" } },
    ]);
    expect(screen.getByText(/Paused · joined/)).toBeTruthy();
    expect(screen.getByText("ana@example.com · 912345678")).toBeTruthy();
  });

  it("keeps the form and says why when the profile is refused", async () => {
    shell({
      profile: () => anaProfile(),
      edit_student: () => {
        throw { code: "invalid", message: "phone: use 6 to 15 digits, optionally starting with +" };
      },
    });
    const user = userEvent.setup();
    render(Student, { id: ana.id });
    await user.click(await screen.findByRole("button", { name: "Edit profile" }));
    const form = within(screen.getByRole("form", { name: "Edit profile" }));
    await user.type(form.getByLabelText("Phone"), "12");
    await user.click(form.getByRole("button", { name: "Save" }));

    expect((await form.findByRole("alert")).textContent).toContain("use 6 to 15 digits");
    expect(form.getByLabelText<HTMLInputElement>("Phone").value).toBe("12");
  });

  it("adds a note and lists it", async () => {
    let shown = anaProfile();
    const calls = shell({
      profile: () => shown,
      add_note: (args) => {
        const note = { id: "n1", at: new Date().toISOString(), by: "staff", text: args.text as string };
        shown = { ...shown, notes: [note] };
        return null;
      },
    });
    const user = userEvent.setup();
    render(Student, { id: ana.id });
    expect(await screen.findByText("No notes yet.")).toBeTruthy();
    await user.type(screen.getByLabelText("New note"), "Knee injury: no takedowns for a month.");
    await user.click(screen.getByRole("button", { name: "Add note" }));

    expect(await screen.findByText("Knee injury: no takedowns for a month.")).toBeTruthy();
    expect(calls.filter((c) => c.cmd === "add_note").map((c) => c.args)).toEqual([
      { student: ana.id, text: "Knee injury: no takedowns for a month." },
    ]);
    expect(screen.getByLabelText<HTMLTextAreaElement>("New note").value).toBe("");
  });

  it("shows the member card in the academy's theme and prints it", async () => {
    const printable = {
      card: { card: "T1ABCDEF", version: 2, student_name: "Ana Lima", academy_name: "Golden Tiger" },
      qr: "data:image/svg+xml;base64,PHN2Zy8+",
    };
    app.state!.academy!.theme.logo = "data:image/png;base64,iVBORw0KGgo=";
    const calls = shell({ profile: () => anaProfile(), member_card: () => printable });
    const print = vi.spyOn(window, "print").mockImplementation(() => {});
    const user = userEvent.setup();
    render(Student, { id: ana.id });
    await user.click(await screen.findByRole("button", { name: "Show card" }));

    const card = within(await screen.findByRole("figure", { name: "Member card of Ana Lima" }));
    expect(card.getByText("Golden Tiger")).toBeTruthy();
    expect(card.getByText("Card 2")).toBeTruthy();
    expect(card.getByRole("img", { name: "QR code of the card" }).getAttribute("src")).toBe(printable.qr);
    expect(calls.filter((c) => c.cmd === "member_card").map((c) => c.args)).toEqual([{ student: ana.id }]);
    await user.click(screen.getByRole("button", { name: "Print card" }));
    expect(print).toHaveBeenCalledOnce();
  });

  it("says why a card cannot be shown", async () => {
    shell({
      profile: () => anaProfile(),
      member_card: () => {
        throw { code: "offline", message: "the server cannot be reached: print it once this device is online" };
      },
    });
    const user = userEvent.setup();
    render(Student, { id: ana.id });
    await user.click(await screen.findByRole("button", { name: "Show card" }));

    expect((await screen.findByRole("alert")).textContent).toContain("once this device is online");
    expect(screen.queryByRole("figure", { name: /Member card/ })).toBeNull();
  });
});
