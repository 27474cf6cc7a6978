// A student's profile as a form edits it: every field as text, and what
// saving it writes.
import type { NewStudent, Student, StudentPatch, StudentStatus } from "./bindings";

export type ProfileFields = {
  name: string;
  email: string;
  phone: string;
  born_on: string;
  status: StudentStatus;
  paid_until: string;
};

export const blankProfile: ProfileFields = {
  name: "",
  email: "",
  phone: "",
  born_on: "",
  status: "active",
  paid_until: "",
};

export function fieldsOf(s: Student): ProfileFields {
  return {
    name: s.name,
    email: s.email ?? "",
    phone: s.phone ?? "",
    born_on: s.born_on ?? "",
    status: s.status,
    paid_until: s.paid_until ?? "",
  };
}

/** An emptied optional field is cleared. */
const optional = (text: string) => text.trim() || null;

/**
 * Only the fields changed, so an edit made elsewhere to another field
 * survives the merge; empty when nothing changed.
 */
export function patchOf(before: Student, after: ProfileFields): StudentPatch {
  const patch: StudentPatch = {};
  if (after.name.trim() !== before.name) patch.name = after.name.trim();
  if (optional(after.email) !== before.email) patch.email = optional(after.email);
  if (optional(after.phone) !== before.phone) patch.phone = optional(after.phone);
  if (optional(after.born_on) !== before.born_on) patch.born_on = optional(after.born_on);
  if (after.status !== before.status) patch.status = after.status;
  if (optional(after.paid_until) !== before.paid_until) patch.paid_until = optional(after.paid_until);
  return patch;
}

/** A new student at the belt system's first grade. */
export function newStudent(fields: ProfileFields): NewStudent {
  return {
    name: fields.name.trim(),
    email: optional(fields.email),
    phone: optional(fields.phone),
    born_on: optional(fields.born_on),
    grade: null,
  };
}
