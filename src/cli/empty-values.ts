import type { Command } from "commander";
import { UsageError } from "../errors.js";

/**
 * Flags whose empty value means "none", as the Python runner's launch scripts pass them
 * (`--startingStage= --skipStages=` when nothing is to be skipped).
 */
const MAY_BE_EMPTY = new Set(["startingStage", "skipStages"]);

/**
 * A flag that takes a value given an empty one (`--workRoot "$RUNS"` with RUNS unset, `--data=`):
 * a usage error naming it. Taken as given, "" is the current folder for a path, or silently
 * nothing for a file to read a token from; the default would be a guess at what was meant.
 */
export function refuseEmptyValues(command: Command): void {
  for (const option of command.options) {
    if (!option.required || MAY_BE_EMPTY.has(option.attributeName())) continue;
    const value: unknown = command.getOptionValue(option.attributeName());
    if (typeof value === "string" && value.trim() === "") {
      const fallback = option.defaultValue === undefined ? "" : ` (its default is ${JSON.stringify(option.defaultValue)})`;
      throw new UsageError(`${option.long ?? option.flags} was given an empty value (an unset shell variable?): give ${option.flags.split(" ").slice(1).join(" ")}, or leave the flag out${fallback}`);
    }
  }
}
