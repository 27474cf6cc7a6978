import { describe, expect, it } from "vitest";
import { uuidv7 } from "./ids";

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("ids", () => {
  it("are UUIDv7s the engine accepts", () => {
    for (let i = 0; i < 100; i += 1) expect(uuidv7()).toMatch(V7);
  });

  it("carry their creation time in milliseconds", () => {
    const at = Date.UTC(2026, 11, 1, 18, 5, 30, 123);
    expect(parseInt(uuidv7(at).replace("-", "").slice(0, 12), 16)).toBe(at);
    expect(uuidv7(0).startsWith("00000000-0000-7")).toBe(true);
    expect(uuidv7(2 ** 48 - 1).startsWith("ffffffff-ffff-7")).toBe(true);
  });

  it("sort by creation time and differ within a millisecond", () => {
    const at = Date.now();
    expect(uuidv7(at) < uuidv7(at + 1)).toBe(true);
    const same = new Set(Array.from({ length: 1000 }, () => uuidv7(at)));
    expect(same.size).toBe(1000);
  });
});
