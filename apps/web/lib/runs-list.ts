// Keeping the cached runs list current from live run summaries. Pure.

interface Listed {
  id: string;
  createdAt: number;
}

/** `run` put into `list` (replacing the one with its id), newest first, as runs.list orders them. */
export function upsertRun<T extends Listed>(list: readonly T[], run: T): T[] {
  const at = list.findIndex((r) => r.id === run.id);
  if (at >= 0) {
    const next = list.slice();
    next[at] = run;
    return next;
  }
  const next = [run, ...list];
  return next.sort((a, b) => b.createdAt - a.createdAt);
}
