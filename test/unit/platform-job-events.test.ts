import { expect, test } from "vitest";
import { createJobEvents } from "../../src/local-platform/job-events.js";
import type { Job } from "../../src/local-platform/platform-types.js";

const job = { id: "j1", status: "running" } as Job;

test("every listener hears each change, in order; one that throws does not stop the others and is reported", () => {
  const errors: unknown[] = [];
  const events = createJobEvents((error) => errors.push(error));
  const heard: string[] = [];
  events.on(() => heard.push("first"));
  events.on(() => {
    throw new Error("broken socket");
  });
  events.on((j) => heard.push(`third ${j.id}`));
  events.emit(job);
  expect(heard).toEqual(["first", "third j1"]);
  expect(errors).toHaveLength(1);
  expect((errors[0] as Error).message).toBe("broken socket");
});

test("the function on() answers stops that listener only, even while an emit is under way", () => {
  const events = createJobEvents();
  const heard: string[] = [];
  const listener = () => heard.push("twice");
  const offA = events.on(listener);
  events.on(listener);
  let offSelf = () => {};
  offSelf = events.on(() => {
    heard.push("once");
    offSelf();
  });
  events.on(() => heard.push("after"));
  events.emit(job);
  offA();
  offA();
  events.emit(job);
  expect(heard).toEqual(["twice", "twice", "once", "after", "twice", "after"]);
});

test("with no error handler a throwing listener is ignored", () => {
  const events = createJobEvents();
  events.on(() => {
    throw new Error("x");
  });
  expect(() => events.emit(job)).not.toThrow();
});
