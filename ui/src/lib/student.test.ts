import { describe, expect, it } from "vitest";
import { fieldsOf, newStudent, patchOf } from "./student";
import { ana } from "../test/fixtures";

describe("a profile form", () => {
  it("writes nothing when nothing changed", () => {
    expect(patchOf(ana, fieldsOf(ana))).toEqual({});
  });

  it("writes only the fields changed, trimmed", () => {
    const fields = { ...fieldsOf(ana), name: "  Ana Lima Souza ", status: "paused" as const };
    expect(patchOf(ana, fields)).toEqual({ name: "Ana Lima Souza", status: "paused" });
  });

  it("clears an emptied field and sets a new one", () => {
    const fields = { ...fieldsOf(ana), email: " ", phone: "+351 912 345 678", paid_until: "" };
    expect(patchOf(ana, fields)).toEqual({ email: null, phone: "+351 912 345 678", paid_until: null });
  });

  it("makes a new student from the fields filled in", () => {
    const fields = { ...fieldsOf(ana), name: " Rui Costa ", email: "", born_on: "" };
    expect(newStudent(fields)).toEqual({ name: "Rui Costa", email: null, phone: null, born_on: null, grade: null });
  });
});
