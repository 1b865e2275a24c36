import { ExitCode, PhysicsWorksError } from "../errors.js";

/** A payload that does not match its subject's type: refused before it is published. */
export class InvalidEventError extends PhysicsWorksError {
  readonly subject: string;
  readonly problems: string[];

  constructor(subject: string, problems: string[]) {
    super("event", `${subject}: invalid payload: ${problems.join("; ")}`, ExitCode.usage);
    this.subject = subject;
    this.problems = problems;
  }
}
