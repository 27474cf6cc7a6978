// Attendance counted by week, for charts.
import type { AttendanceRow } from "./bindings";
import { isoDay } from "./format";

export type Week = { start: string; count: number };

/** The Monday starting `date`'s week. */
function monday(date: Date): Date {
  const start = new Date(date.getFullYear(), date.getMonth(), date.getDate());
  start.setDate(start.getDate() - ((start.getDay() + 6) % 7));
  return start;
}

/** Check-ins per week for the `weeks` weeks up to `today`, oldest first; voided ones do not count. */
export function weekly(rows: AttendanceRow[], weeks: number, today: Date): Week[] {
  const first = monday(today);
  first.setDate(first.getDate() - 7 * (weeks - 1));
  const result: Week[] = [];
  for (let i = 0; i < weeks; i += 1) {
    const start = new Date(first);
    start.setDate(first.getDate() + 7 * i);
    result.push({ start: isoDay(start), count: 0 });
  }
  for (const row of rows) {
    if (row.voided) continue;
    const [y, m, d] = row.session.date.split("-").map(Number);
    const index = Math.floor((monday(new Date(y, m - 1, d)).getTime() - first.getTime()) / (7 * 86_400_000) + 0.5);
    if (index >= 0 && index < weeks) result[index].count += 1;
  }
  return result;
}
