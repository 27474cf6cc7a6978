// What staff may do, for the screens to offer; the engine checks every
// command again.
import type { AppState, Role } from "./bindings";

/** Most powerful first. */
const ranked: Role[] = ["owner", "admin", "instructor", "front_desk"];

/**
 * Owners and admins change the academy's belt system, theme and check-in
 * rules, on a device enrolled as the office computer: a device acts with
 * the lesser of its role and the signed-in staff member's.
 */
export function canAdminister(state: AppState | null | undefined): boolean {
  if (!state?.staff || !state.enrolment) return false;
  const acting = Math.max(ranked.indexOf(state.staff.role), ranked.indexOf(state.enrolment.role));
  return acting <= ranked.indexOf("admin");
}

export const roleNames: Record<Role, string> = {
  owner: "Owner",
  admin: "Admin",
  instructor: "Instructor",
  front_desk: "Front desk",
};
