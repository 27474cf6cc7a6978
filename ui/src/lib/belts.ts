// Ranks by id, from the academy's belt system.
import type { Grade, Rank, TenantView } from "./bindings";
import { grade } from "./format";

export function rankOf(academy: TenantView | null | undefined, id: string): Rank | undefined {
  return academy?.ranks.find((r) => r.id === id);
}

/** "Blue belt, 2 stripes" for a grade. */
export function gradeName(academy: TenantView | null | undefined, g: Grade): string {
  return grade(rankOf(academy, g.rank)?.name ?? "Unknown belt", g.stripes);
}

/** Every grade above `from`, lowest first: the promotions one can record. */
export function gradesAbove(academy: TenantView | null | undefined, from: Grade): Grade[] {
  const ranks = academy?.ranks ?? [];
  const start = ranks.findIndex((r) => r.id === from.rank);
  const grades: Grade[] = [];
  ranks.forEach((rank, index) => {
    if (index < start) return;
    for (let stripes = 0; stripes <= rank.stripes; stripes += 1) {
      if (index === start && stripes <= from.stripes) continue;
      grades.push({ rank: rank.id, stripes });
    }
  });
  return grades;
}
