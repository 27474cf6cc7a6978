import { describe, expect, it } from "vitest";
import { ago, grade, initials, inkOn, refusal } from "./format";

describe("words for people", () => {
  it("takes initials from the first and last names", () => {
    expect(initials("ana maria lima")).toBe("AL");
    expect(initials("Zé")).toBe("Z");
  });

  it("names a grade with its stripes", () => {
    expect(grade("Blue", 0)).toBe("Blue");
    expect(grade("Blue", 1)).toBe("Blue, 1 stripe");
    expect(grade("Blue", 3)).toBe("Blue, 3 stripes");
    expect(grade(null, 0)).toBe("No belt yet");
  });

  it("explains every refusal without codes or jargon", () => {
    const reasons = [
      refusal({ code: "invalid_pass", error: { code: "wrong_tenant" } }),
      refusal({ code: "invalid_pass", error: { code: "malformed", reason: "length" } }),
      refusal({ code: "unknown_student" }),
      refusal({ code: "card_revoked", presented: 1, current: 2 }),
      refusal({ code: "student_inactive" }),
      refusal({ code: "membership_lapsed", paid_until: "2026-11-01" }),
      refusal({ code: "outside_class_window", opens: "2026-12-01T17:30", closes: "2026-12-01T18:30" }),
    ];
    for (const reason of reasons) {
      expect(reason).toMatch(/^[A-Z].*[.]$/);
      expect(reason).not.toMatch(/_/);
    }
    expect(reasons[0]).toContain("another academy");
    expect(reasons[6]).toContain("17:30");
    expect(reasons[6]).toContain("18:30");
  });

  it("writes dark on a white belt and white on a black or blue one", () => {
    expect(inkOn("#ffffff")).toBe("#111827");
    expect(inkOn("#facc15")).toBe("#111827");
    expect(inkOn("#000000")).toBe("#ffffff");
    expect(inkOn("#1d4ed8")).toBe("#ffffff");
  });

  it("says how long ago a sync was", () => {
    const now = new Date("2026-12-01T12:00:00Z");
    expect(ago("2026-12-01T11:59:30Z", now)).toBe("just now");
    expect(ago("2026-12-01T11:55:00Z", now)).toBe("5 min ago");
    expect(ago("2026-12-01T09:00:00Z", now)).toBe("3 h ago");
  });
});
