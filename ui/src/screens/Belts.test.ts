import { beforeEach, describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { flushSync } from "svelte";
import Belts from "./Belts.svelte";
import { app } from "../lib/app.svelte";
import type { Rank } from "../lib/bindings";
import { instructor, ranks, signedIn } from "../test/fixtures";
import { shell } from "../test/shell";

const [white, blue, purple] = ranks;

function input(name: string): HTMLInputElement {
  return screen.getByLabelText(name) as HTMLInputElement;
}

/** The ranks the last save sent. */
function sent(calls: ReturnType<typeof shell>): Rank[] {
  return calls.filter((c) => c.cmd === "set_belt_system").at(-1)?.args.ranks as Rank[];
}

describe("the belt system", () => {
  beforeEach(() => {
    app.state = signedIn();
  });

  it("saves exactly the ranks as edited, then reads the academy again", async () => {
    const calls = shell({ device_state: () => signedIn() });
    const user = userEvent.setup();
    render(Belts);
    await user.clear(input("Name of rank 2"));
    await user.type(input("Name of rank 2"), "Azul");
    await fireEvent.input(input("Colour of rank 2"), { target: { value: "#2563eb" } });
    await user.clear(input("Classes attended to reach rank 2"));
    await user.type(input("Classes attended to reach rank 2"), "100");
    await user.clear(input("Minimum age to reach rank 3"));
    await user.clear(input("Months per stripe of rank 1"));
    await user.type(input("Months per stripe of rank 1"), "3");
    await user.click(screen.getByRole("button", { name: "Save" }));

    expect((await screen.findByRole("status")).textContent).toBe("Belt system saved.");
    expect(sent(calls)).toEqual([
      { ...white, stripe_requirements: { ...white.stripe_requirements, months: 3 } },
      { ...blue, name: "Azul", color: "#2563eb", requirements: { ...blue.requirements, attendances: 100 } },
      { ...purple, requirements: { ...purple.requirements, min_age_years: null } },
    ]);
    expect(calls.map((c) => c.cmd)).toEqual(["set_belt_system", "device_state"]);
  });

  it("shows why the academy refused a save and keeps the edits", async () => {
    shell({
      set_belt_system: () => {
        throw { code: "invalid", message: "a rank has at most 12 stripes" };
      },
    });
    const user = userEvent.setup();
    render(Belts);
    await user.clear(input("Name of rank 1"));
    await user.type(input("Name of rank 1"), "Branca");
    await user.click(screen.getByRole("button", { name: "Save" }));

    expect((await screen.findByRole("alert")).textContent).toBe("a rank has at most 12 stripes");
    expect(input("Name of rank 1").value).toBe("Branca");
    expect(screen.queryByRole("status")).toBeNull();
  });

  it("adds a rank with a new id, moves it and removes another", async () => {
    const calls = shell({ device_state: () => signedIn() });
    const user = userEvent.setup();
    render(Belts);
    await user.click(screen.getByRole("button", { name: "Add a rank" }));
    // The new rank's name has the focus, ready to type.
    expect(document.activeElement).toBe(input("Name of rank 4"));
    await user.keyboard("Brown");
    await user.click(screen.getByRole("button", { name: "Move rank 4 up" }));
    // Focus stays with the rank that moved, for the next press.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole("button", { name: "Move rank 3 up" })));
    await user.click(screen.getByRole("button", { name: "Remove rank 1" }));
    expect(input("Name of rank 1").value).toBe("Blue");
    await user.click(screen.getByRole("button", { name: "Save" }));

    await screen.findByRole("status");
    const saved = sent(calls);
    expect(saved.map((r) => r.name)).toEqual(["Blue", "Brown", "Purple"]);
    expect(saved[1].id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(saved[1]).toMatchObject({ stripes: 0, requirements: { attendances: 0, months: 0, min_age_years: null } });
  });

  it("follows changes from other devices, without overwriting edits in progress", async () => {
    shell({});
    const user = userEvent.setup();
    render(Belts);
    const synced = (name: string) => {
      const state = signedIn();
      state.academy!.ranks[2].name = name;
      app.state = state;
      flushSync();
    };
    synced("Roxa");
    expect(input("Name of rank 3").value).toBe("Roxa");
    await user.type(input("Name of rank 1"), " belt");
    synced("Lilás");
    expect(input("Name of rank 1").value).toBe("White belt");
    expect(input("Name of rank 3").value).toBe("Roxa");
  });

  it("keeps the last rank: a belt system needs one", () => {
    app.state!.academy!.ranks = [white];
    shell({});
    render(Belts);
    expect((screen.getByRole("button", { name: "Remove rank 1" }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("shows staff who are not admins the ranks without letting them change or save", async () => {
    app.state = signedIn(instructor);
    shell({});
    const user = userEvent.setup();
    render(Belts);
    expect(screen.getByText(/Only the academy's owner and admins can change these/)).toBeTruthy();
    expect(input("Name of rank 2").matches(":disabled")).toBe(true);
    await user.type(input("Name of rank 2"), "x");
    expect(input("Name of rank 2").value).toBe("Blue");
    expect(screen.queryByRole("button", { name: "Save" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Add a rank" })).toBeNull();
    expect(screen.queryByRole("button", { name: /Remove/ })).toBeNull();
  });
});
