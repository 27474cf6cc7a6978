import { beforeEach, describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import Settings from "./Settings.svelte";
import { app } from "../lib/app.svelte";
import { academy, instructor, owner, signedIn } from "../test/fixtures";
import { shell } from "../test/shell";

function form(name: string) {
  return within(screen.getByRole("form", { name }));
}

describe("the settings", () => {
  beforeEach(() => {
    app.state = signedIn();
  });

  it("previews the chosen colours, saves them and applies them across the app", async () => {
    const chosen = { primary: "#0f766e", accent: "#f59e0b", logo: null };
    const calls = shell({
      device_state: () => {
        const state = signedIn();
        state.academy!.theme = chosen;
        return state;
      },
    });
    const user = userEvent.setup();
    render(Settings);
    const theme = form("Theme");
    await fireEvent.input(theme.getByLabelText("Primary colour"), { target: { value: chosen.primary } });
    await fireEvent.input(theme.getByLabelText("Accent colour"), { target: { value: chosen.accent } });
    const preview = theme.getByRole("img", { name: "Preview of the colours" });
    expect(preview.style.background).toBe("rgb(15, 118, 110)");
    await user.click(theme.getByRole("button", { name: "Save" }));

    expect((await theme.findByRole("status")).textContent).toBe("Theme saved.");
    expect(calls.filter((c) => c.cmd === "set_theme").map((c) => c.args)).toEqual([{ theme: chosen }]);
    expect(document.documentElement.style.getPropertyValue("--primary")).toBe(chosen.primary);
    expect(document.documentElement.style.getPropertyValue("--accent")).toBe(chosen.accent);
    expect(document.documentElement.style.getPropertyValue("--on-primary")).toBe("#ffffff");
  });

  it("shows the logo and removes it", async () => {
    const logo = "data:image/png;base64,iVBORw0KGgo=";
    app.state = signedIn();
    app.state.academy!.theme.logo = logo;
    const calls = shell({ device_state: () => signedIn() });
    const user = userEvent.setup();
    render(Settings);
    const theme = form("Theme");
    const preview = theme.getByRole("img", { name: "Preview of the colours" });
    expect(preview.querySelector("img")?.getAttribute("src")).toBe(logo);
    await user.click(theme.getByRole("button", { name: "Remove logo" }));
    expect(preview.querySelector("img")).toBeNull();
    await user.click(theme.getByRole("button", { name: "Save" }));

    expect(calls.filter((c) => c.cmd === "set_theme").map((c) => c.args)).toEqual([
      { theme: { primary: "#1f2937", accent: "#dc2626", logo: null } },
    ]);
  });

  it("saves the check-in rules as edited", async () => {
    const calls = shell({ device_state: () => signedIn() });
    const user = userEvent.setup();
    render(Settings);
    const rules = form("Check-in rules");
    await user.clear(rules.getByLabelText(/minutes before a class/));
    await user.type(rules.getByLabelText(/minutes before a class/), "45");
    await user.selectOptions(rules.getByLabelText("Lapsed membership"), "Refuse at the door");
    await user.click(rules.getByRole("button", { name: "Save" }));

    expect((await rules.findByRole("status")).textContent).toBe("Check-in rules saved.");
    expect(calls.filter((c) => c.cmd === "set_checkin_settings").map((c) => c.args)).toEqual([
      { settings: { ...academy.checkin, opens_before_minutes: 45, lapsed_membership: "refuse" } },
    ]);
  });

  it("shows why the academy refused the colours and keeps them", async () => {
    shell({
      set_theme: () => {
        throw { code: "forbidden", message: "only admins can change the theme" };
      },
    });
    const user = userEvent.setup();
    render(Settings);
    const theme = form("Theme");
    await fireEvent.input(theme.getByLabelText("Accent colour"), { target: { value: "#f59e0b" } });
    await user.click(theme.getByRole("button", { name: "Save" }));

    expect((await theme.findByRole("alert")).textContent).toBe("only admins can change the theme");
    expect((theme.getByLabelText("Accent colour") as HTMLInputElement).value).toBe("#f59e0b");
  });

  it.each([
    ["staff who are not admins", signedIn(instructor)],
    ["the owner on a front-desk tablet", signedIn(owner, "front_desk")],
  ])("shows %s the theme and rules without a way to save", (_, state) => {
    app.state = state;
    shell({});
    render(Settings);
    for (const name of ["Theme", "Check-in rules"]) {
      expect(form(name).getByText(/Only the academy's owner and admins can change these/)).toBeTruthy();
      expect(form(name).queryByRole("button", { name: "Save" })).toBeNull();
    }
    expect(form("Theme").getByLabelText("Primary colour").matches(":disabled")).toBe(true);
  });

  it("says what this device is and who is signed in", () => {
    shell({});
    render(Settings);
    const device = within(screen.getByRole("region", { name: "This device" }));
    for (const shown of ["Front desk", "Golden Tiger", "https://tatami.example.com", "312"]) {
      expect(device.getAllByText(shown).length).toBeGreaterThan(0);
    }
    expect(device.getByText("Signed in as Rita Moreira (Owner).")).toBeTruthy();
  });

  it("signs out: locks the device and reads the app state again", async () => {
    const calls = shell({ device_state: () => signedIn(null) });
    const user = userEvent.setup();
    render(Settings);
    await user.click(screen.getByRole("button", { name: "Sign out" }));

    await waitFor(() => expect(app.state?.staff).toBeNull());
    expect(calls.map((c) => c.cmd)).toEqual(["lock", "device_state"]);
  });
});
