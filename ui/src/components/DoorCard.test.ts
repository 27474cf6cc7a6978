import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/svelte";
import DoorCard from "./DoorCard.svelte";
import { admitted } from "../test/fixtures";

describe("the door's confirmation card", () => {
  it("welcomes an admitted student with belt, class and initials", () => {
    render(DoorCard, { outcome: admitted() });
    expect(screen.getByRole("heading").textContent).toBe("Welcome, Ana Lima");
    expect(screen.getByText("Blue, 2 stripes")).toBeTruthy();
    expect(screen.getByText("Fundamentals")).toBeTruthy();
    expect(screen.getByText("AL")).toBeTruthy();
  });

  it("shows what staff should know about an admitted student", () => {
    const outcome = admitted();
    outcome.decision = { outcome: "admit", warnings: [{ code: "membership_lapsed", paid_until: "2026-11-01" }] };
    render(DoorCard, { outcome });
    expect(screen.getByText(/Membership lapsed/)).toBeTruthy();
  });

  it("says why someone was refused", () => {
    const outcome = admitted();
    outcome.decision = { outcome: "refuse", reason: { code: "student_inactive" } };
    outcome.recorded = false;
    render(DoorCard, { outcome });
    expect(screen.getByRole("heading").textContent).toBe("Ana Lima: not checked in");
    expect(screen.getByText(/membership is not active/)).toBeTruthy();
  });
});
