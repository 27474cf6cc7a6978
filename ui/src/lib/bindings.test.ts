import { describe, expect, it } from "vitest";
import { mockIPC } from "@tauri-apps/api/mocks";
import { report, unlock } from "./bindings";

describe("the generated command functions", () => {
  it("pass the shell's own errors through", async () => {
    mockIPC(() => {
      throw { code: "wrong_pin", message: "wrong email or PIN" };
    });
    await expect(unlock("desk@example.com", "0000")).rejects.toEqual({ code: "wrong_pin", message: "wrong email or PIN" });
  });

  it("turn what Tauri refuses before the command runs into a command error", async () => {
    mockIPC(() => {
      throw "invalid args `period` for command `report`: premature end of input";
    });
    await expect(report({ from: "1/9/2026", to: "2026-12-01" })).rejects.toEqual({
      code: "bad_request",
      message: "invalid args `period` for command `report`: premature end of input",
    });
  });
});
