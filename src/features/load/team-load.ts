// The ops load of teams now: the occurrences of each rotation's load window, read once, measured
// against the ejections in force. Shared by `/oncall load` and the weekly report.

import type { Runtime } from "../../runtime";
import type { Ejection } from "../rotation/store";
import { type LoadReport, loadLookbackWeeks, loadReport, WEEK_MS } from "./load";
import { readOccurrences, type WindowOccurrences } from "./occurrences";

export async function teamLoad(
  rt: Pick<Runtime, "config" | "alerts" | "rotationState">,
  now: Date,
  weeks: number,
  teamIds?: readonly string[],
): Promise<{ load: LoadReport; data: WindowOccurrences; ejections: Ejection[] }> {
  // Eligibility looks at each rotation's own window, usually longer than the one shown.
  const from = new Date(now.getTime() - loadLookbackWeeks(rt.config, weeks) * WEEK_MS);
  const [data, ejections] = await Promise.all([
    readOccurrences(rt.alerts, from, now),
    rt.rotationState.ejections(),
  ]);
  const load = loadReport({
    config: rt.config,
    occurrences: data.occurrences,
    now,
    weeks,
    ...(teamIds ? { teamIds } : {}),
    ejected: new Set(ejections.map((e) => e.teamId)),
  });
  return { load, data, ejections };
}
