import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import FirstRun from "./FirstRun.svelte";

describe("first run", () => {

  it("enrols with what was typed and shows the server's refusal", async () => {
    const asked: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "enrol") {
        asked.push(args);
        throw { code: "bad_credentials", message: "wrong email or password" };
      }
      return null;
    });
    const user = userEvent.setup();
    render(FirstRun, { hint: "http://127.0.0.1:8080" });
    expect((screen.getByLabelText("Server address") as HTMLInputElement).value).toBe("http://127.0.0.1:8080");
    await user.type(screen.getByLabelText("Academy"), "gracie-barra");
    await user.type(screen.getByLabelText("Admin email"), "owner@example.com");
    await user.type(screen.getByLabelText("Password"), "secret");
    await user.click(screen.getByLabelText(/instructor's laptop/));
    await user.click(screen.getByRole("button", { name: "Enrol this device" }));
    expect((await screen.findByRole("alert")).textContent).toBe("wrong email or password");
    expect(asked).toEqual([
      {
        request: {
          server: "http://127.0.0.1:8080",
          academy: "gracie-barra",
          email: "owner@example.com",
          password: "secret",
          device_name: "Front desk",
          role: "instructor",
        },
      },
    ]);
  });
});
