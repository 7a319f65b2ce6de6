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

/** Every text field of a postmortem filled in, as the incident tests' INC write it up. */
export const POSTMORTEM_FULL_TEXT = {
  summary: "Checkout returned 500s for EU users.",
  impactWho: "EU shoppers could not pay.",
  impactDuration: "47m",
  trigger: "Deploy v42 of checkout.",
  rootCauses: "The config migration ran after the new code.",
  resolution: "Rolled back to v41.",
  detection: "HighErrorRate paged after 3 minutes.",
  wentWell: "Rollback took 2 minutes.",
  wentWrong: "",
  gotLucky: "It was a quiet Wednesday.",
} as const;
