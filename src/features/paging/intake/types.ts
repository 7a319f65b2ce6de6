// What every webhook parser produces (the shapes, defined in core for the alert model) and how a
// payload is refused.

import { CodedError, ErrorCode } from "../../../platform/errors";

export type {
  AlertSource,
  IncomingGroup,
  IncomingInstance,
  InstanceStatus,
  LabelSet,
} from "../../../core/incoming";

export interface IntakeIssue {
  /** JSON path into the payload, e.g. `alerts[2].labels.alertname`; "" for the payload itself. */
  readonly field: string;
  readonly message: string;
}

/**
 * A payload we refuse (HTTP 400). `message` reads "<field>: <detail>[; <field>: <detail>…]", meant
 * for whoever configured the sender; `field` is the first offending JSON path.
 */
export class IntakeError extends CodedError {
  readonly code = ErrorCode.IntakeError;
  override readonly name = "IntakeError";
  readonly field: string;
  readonly issues: readonly IntakeIssue[];

  constructor(field: string, detail: string, more: readonly IntakeIssue[] = []) {
    const issues = [{ field, message: detail }, ...more];
    super(issues.map(formatIssue).join("; "));
    this.field = field;
    this.issues = issues;
  }
}

function formatIssue(issue: IntakeIssue): string {
  return `${issue.field === "" ? "payload" : issue.field}: ${issue.message}`;
}
