// What staff may do, for the screens to offer; the engine checks every
// command again.
import type { DeviceState, Role } from "./bindings";

/**
 * Owners and admins change the academy's belt system, theme and check-in
 * rules, on a device enrolled as the office computer (the engine's acting
 * role is the lesser of theirs and the device's).
 */
export function canAdminister(state: DeviceState | null | undefined): boolean {
  return state?.acting_role === "owner" || state?.acting_role === "admin";
}

export const roleNames: Record<Role, string> = {
  owner: "Owner",
  admin: "Admin",
  instructor: "Instructor",
  front_desk: "Front desk",
};
