// How far a run is and how long it has taken, as the runs table and run header show it. Pure.

import { ACTIVE_STATES, FINAL_STATES } from "@trainyard/protocol/run-states";

export function isActive(status: string): boolean {
  return (ACTIVE_STATES as readonly string[]).includes(status);
}

export function isFinal(status: string): boolean {
  return (FINAL_STATES as readonly string[]).includes(status);
}

interface Progress {
  status: string;
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
}

/** Fraction done in [0, 1]: by step when the trainer reported a step count, else by epoch. */
export function progressFraction(run: Progress): number {
  if (run.status === "completed") return 1;
  const f = run.steps > 0 ? run.step / run.steps : run.epochs > 0 ? run.epoch / run.epochs : 0;
  return Number.isFinite(f) ? Math.min(1, Math.max(0, f)) : 0;
}

interface Timing {
  startedAt: number | null;
  endedAt: number | null;
}

/** Milliseconds the run has trained: until it ended, or until `now` while it runs; null if not started. */
export function runDurationMs(run: Timing, now: number): number | null {
  if (run.startedAt == null) return null;
  return Math.max(0, (run.endedAt ?? now) - run.startedAt);
}

/** 45s, 12m 03s, 3h 07m, 2d 4h. */
export function formatDuration(ms: number | null): string {
  if (ms == null || !Number.isFinite(ms)) return "—";
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, "0")}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** A metric value compactly: 4 significant digits, exponent form for very small or large magnitudes. */
export function formatMetric(value: number | null | undefined): string {
  if (value == null) return "—";
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return "0";
  const a = Math.abs(value);
  if (a < 1e-3 || a >= 1e5) return value.toExponential(2);
  return String(Number(value.toPrecision(4)));
}

/** Creation time: time of day for today, else a short date. */
export function formatCreated(ms: number, now: number): string {
  const d = new Date(ms);
  const today = new Date(now);
  const sameDay = d.toDateString() === today.toDateString();
  return sameDay
    ? d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })
    : d.toLocaleDateString(undefined, { month: "short", day: "numeric" }) +
        " " +
        d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

/** Milliseconds left for a running run, extrapolated from its progress so far; null when unknown. */
export function etaMs(run: Progress & Timing, now: number): number | null {
  if (run.status !== "running" || run.startedAt == null) return null;
  const f = progressFraction(run);
  if (f <= 0.01 || f >= 1) return null;
  return ((now - run.startedAt) * (1 - f)) / f;
}
