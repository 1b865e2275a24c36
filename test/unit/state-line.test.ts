import { describe, expect, it } from "vitest";
import { parseStateLine } from "../../src/progress/state-line.js";

describe("parseStateLine, CSV form", () => {
  it("reads timestamp, progress, message, step and status", () => {
    expect(parseStateLine("2024-05-01 12:00:00,40,Solving,solver,running")).toEqual({
      timestamp: "2024-05-01 12:00:00",
      progress: 40,
      label: "Solving",
      step: "solver",
      stepStatus: "running",
      isError: false,
    });
  });

  it("keeps commas and doubled quotes inside a quoted message", () => {
    const update = parseStateLine('2024-05-01 12:00:00,55.5,"Iteration 3, residual ""1e-6""",solver,running');
    expect(update?.label).toBe('Iteration 3, residual "1e-6"');
    expect(update?.progress).toBe(55.5);
    expect(update?.step).toBe("solver");
  });

  it("accepts a T, fractional seconds and a zone in the timestamp, and clamps progress", () => {
    expect(parseStateLine("2024-05-01T12:00:00.123,150,over")?.progress).toBe(100);
    expect(parseStateLine("2024-05-01T12:00:00Z,-3,under")?.progress).toBe(0);
    expect(parseStateLine("2024-05-01T12:00:00.5+02:00,7,msg")?.timestamp).toBe("2024-05-01T12:00:00.5+02:00");
  });

  it("a step marked finished is a finished step, not an error", () => {
    const update = parseStateLine("2024-05-01 12:00:00,100,Meshing done,meshing,finished");
    expect(update?.stepStatus).toBe("finished");
    expect(update?.isError).toBe(false);
  });

  it("a failed step is an error", () => {
    const update = parseStateLine("2024-05-01 12:00:00,30,Mesh is inverted,meshing,failed");
    expect(update?.stepStatus).toBe("failed");
    expect(update?.isError).toBe(true);
  });

  it("the status field decides over words in the message", () => {
    const update = parseStateLine("2024-05-01 12:00:00,60,0 errors so far,solver,running");
    expect(update?.isError).toBe(false);
    expect(update?.stepStatus).toBe("running");
  });

  it("without a status field, the message's words decide", () => {
    expect(parseStateLine("2024-05-01 12:00:00,60,solver crashed")?.isError).toBe(true);
  });

  it("ignores the header line and blank lines", () => {
    expect(parseStateLine("timestamp,progress,message,step,status")).toBeUndefined();
    expect(parseStateLine(" Timestamp , Progress , Message ")).toBeUndefined();
    expect(parseStateLine("")).toBeUndefined();
    expect(parseStateLine("   \r\n")).toBeUndefined();
  });

  it("is free text when the first field is not a timestamp or the second not a number", () => {
    expect(parseStateLine("hello,50,world")).toEqual({ label: "hello,50,world", isError: false });
    expect(parseStateLine("2024-05-01 12:00:00,half,world")?.timestamp).toBeUndefined();
  });
});

describe("parseStateLine, free text", () => {
  it.each([
    ["Solving 50%", 50],
    ["Solving 50 %", 50],
    ["Solving 25 percent", 25],
    ["Solving 25 PERCENT done later", 25],
    ["Solving 12.5%", 12.5],
    ["step 1 at 10%, overall 30%", 30],
    ["way over 250%", 100],
  ])("reads the progress of %j", (line, progress) => {
    expect(parseStateLine(line)?.progress).toBe(progress);
  });

  it("reads no progress from a signed figure (a change, not how far the run is)", () => {
    expect(parseStateLine("residual -5%")?.progress).toBeUndefined();
    expect(parseStateLine("mass +2.5 % since the last step")?.progress).toBeUndefined();
    expect(parseStateLine("residual -5%, overall 40%")?.progress).toBe(40);
  });

  it("has no progress without a figure", () => {
    const update = parseStateLine("  Reading the mesh  ");
    expect(update).toEqual({ label: "Reading the mesh", isError: false });
  });

  it("completion words finish the step, not the run", () => {
    for (const line of ["Meshing finished", "COMPLETED", "done.", "success: 100%"]) {
      const update = parseStateLine(line);
      expect(update?.stepStatus, line).toBe("finished");
      expect(update?.isError, line).toBe(false);
    }
  });

  it("error words mark an error", () => {
    for (const line of ["ERROR: singular matrix", "solver failed", "3 errors", "run aborted", "abort", "it crashed", "Crash!"]) {
      const update = parseStateLine(line);
      expect(update?.isError, line).toBe(true);
      expect(update?.stepStatus, line).toBe("failed");
    }
  });

  it("does not match an error word inside another word", () => {
    for (const line of ["Reign of terror", "my_error_handler loaded", "errorless", "crashes are simulated", "undone"]) {
      const update = parseStateLine(line);
      expect(update?.isError, line).toBe(false);
      expect(update?.stepStatus, line).toBeUndefined();
    }
  });

  it("an error word wins over a completion word", () => {
    const update = parseStateLine("Done with errors at 80%");
    expect(update).toEqual({ label: "Done with errors at 80%", progress: 80, stepStatus: "failed", isError: true });
  });
});
