/**
 * Steps that each run whatever failed before them, as sending a run's results, archives and
 * outputs must (protocol.md part 2 #9: a refused results patch must not cost the outputs). `run`
 * keeps a step's failure instead of throwing it; `failures` are kept in order, so the first is the
 * one to report.
 */
export class EveryStep {
  readonly failures: unknown[] = [];

  async run(step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error) {
      this.failures.push(error);
    }
  }
}
