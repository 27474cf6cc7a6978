import { describe, expect, it } from "vitest";
import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { shell as mockShell } from "../test/shell";
import { emit } from "@tauri-apps/api/event";
import Kiosk from "./Kiosk.svelte";
import { admitted, fundamentals, openMat } from "../test/fixtures";

/** The kiosk listens for the camera's events. */
const shell = (answers: Parameters<typeof mockShell>[0]) => mockShell(answers, { events: true });

describe("the kiosk", () => {

  it("shows the card of whoever the camera checked in", async () => {
    shell({ sessions_today: () => [fundamentals, openMat] });
    render(Kiosk);
    await screen.findByText("Fundamentals");
    await emit("door", admitted("Bruno Costa"));
    expect((await screen.findByRole("heading", { name: /Welcome/ })).textContent).toBe("Welcome, Bruno Costa");
  });

  it("offers the camera again and search by hand when the camera fails", async () => {
    shell({
      sessions_today: () => [openMat],
      start_camera: () => {
        throw { code: "no_camera", message: "no camera is connected" };
      },
    });
    render(Kiosk);
    expect(await screen.findByText("no camera is connected")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Turn the camera on" })).toBeTruthy();
    expect(screen.getByRole("searchbox", { name: /Find a student/ })).toBeTruthy();
  });

  it("checks in a student found by name, to the session chosen", async () => {
    const calls = shell({
      sessions_today: () => [fundamentals, openMat],
      roster: () => [{ id: "s9", name: "Carla Dias", status: "active", rank: "r1", stripes: 0 }],
      check_in: () => admitted("Carla Dias"),
    });
    const user = userEvent.setup();
    render(Kiosk);
    await user.click(await screen.findByRole("button", { name: /Fundamentals/ }));
    await user.type(screen.getByRole("searchbox", { name: /Find a student/ }), "carla");
    await user.click(await screen.findByRole("button", { name: "Check in Carla Dias" }));
    await screen.findByRole("heading", { name: "Welcome, Carla Dias" });
    const search = calls.filter((c) => c.cmd === "roster").at(-1)?.args.filter as Record<string, unknown>;
    expect(search.query).toBe("carla");
    const checkIn = calls.find((c) => c.cmd === "check_in");
    expect(checkIn?.args).toMatchObject({ student: "s9", session: fundamentals.key });
  });

  it("stops the camera when staff leave the kiosk", async () => {
    const calls = shell({ sessions_today: () => [openMat] });
    const kiosk = render(Kiosk);
    await waitFor(() => expect(calls.some((c) => c.cmd === "start_camera")).toBe(true));
    kiosk.unmount();
    expect(calls.some((c) => c.cmd === "stop_camera")).toBe(true);
  });
});
