/**
 * The ids of the work directory locks this process holds right now: added before the lock file is
 * made (a taker racing in this process must never find it there and not held), removed once it is
 * released. A lock on disk with this process's pid and thread whose id is not here was left by a
 * holder that has let go of it (its release failed, say on NFS): judged by the pid alone it would
 * stay busy while this process lives, which for the NATS worker or `serve --solvers` is for ever.
 *
 * This describes the process, as its pid does, so it lives on globalThis rather than in this
 * module: two copies of this package loaded in one process must see each other's locks, or each
 * would take the other's for left behind. Worker threads each have their own globalThis; a
 * record names its thread, and the rule is applied only to records of this thread.
 */
const KEY = Symbol.for("physicsworks-solve.heldWorkDirLocks");

function heldIds(): Set<string> {
  const g = globalThis as { [KEY]?: Set<string> };
  return (g[KEY] ??= new Set());
}

export function markHeld(lockId: string): void {
  heldIds().add(lockId);
}

export function markLetGo(lockId: string): void {
  heldIds().delete(lockId);
}

export function heldHere(lockId: string): boolean {
  return heldIds().has(lockId);
}
