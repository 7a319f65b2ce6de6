// Incident fixtures shared by the unit and end-to-end tests.

/** A postmortem's required text fields, each filled with a placeholder (for tests about anything else). */
export const POSTMORTEM_TEXT = {
  summary: "s",
  impactWho: "w",
  impactDuration: "d",
  trigger: "t",
  rootCauses: "r",
  resolution: "r",
  detection: "d",
} as const;
