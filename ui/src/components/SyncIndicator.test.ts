import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/svelte";
import { flushSync } from "svelte";
import SyncIndicator from "./SyncIndicator.svelte";
import { app } from "../lib/app.svelte";
import { offline } from "../test/fixtures";

describe("the sync indicator", () => {
  it("says offline, how many changes wait, and that it never synced", () => {
    app.status = offline;
    render(SyncIndicator);
    const status = screen.getByRole("status");
    expect(status.textContent).toContain("Offline");
    expect(status.textContent).toContain("3 waiting");
    expect(status.textContent).toContain("never synced");
  });

  it("follows the shell's sync events", () => {
    app.status = offline;
    render(SyncIndicator);
    app.status = { ...offline, connection: "online", waiting: 0, last_sync: new Date().toISOString() };
    flushSync();
    const status = screen.getByRole("status");
    expect(status.textContent).toContain("Online");
    expect(status.textContent).toContain("all saved to server");
    expect(status.textContent).toContain("synced just now");
  });
});
