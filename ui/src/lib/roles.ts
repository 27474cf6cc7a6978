// What staff may do, for the screens to offer; the engine checks every
// command again.
import type { Role, StaffMember } from "./bindings";

/** Owners and admins change the academy's belt system, theme and check-in rules. */
export function canAdminister(staff: StaffMember | null | undefined): boolean {
  return staff?.role === "owner" || staff?.role === "admin";
}

export const roleNames: Record<Role, string> = {
  owner: "Owner",
  admin: "Admin",
  instructor: "Instructor",
  front_desk: "Front desk",
};
