// The run page's log tail: lines from runs.logs, then live ones from runs.watch. Pure.

export interface LogEntry {
  id?: number;
  level: string;
  message: string;
  time: number;
}

/**
 * `line` appended to `lines`, unless a line with its id is already there (the initial read and the live
 * stream overlap), keeping at most `cap` newest lines.
 */
export function appendLogLine<T extends LogEntry>(lines: readonly T[], line: T, cap = 500): T[] {
  if (line.id !== undefined && lines.some((l) => l.id === line.id)) return lines as T[];
  const next = lines.concat(line);
  return next.length > cap ? next.slice(next.length - cap) : next;
}

/** Event times are seconds since the epoch as the trainer prints them; tolerate milliseconds too. */
export function logTimeMs(time: number): number {
  return time > 1e11 ? time : time * 1000;
}
