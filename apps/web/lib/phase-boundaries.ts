// Where the phases of a run start on the step axis. Metric points carry their epoch but not their phase,
// so boundaries come from the phase schedule in the run's config: phase i starts at the first step whose
// (1-based) epoch exceeds the epochs of all earlier phases. Pure; no React.

export interface PhaseSpan {
  name: string;
  epochs: number;
}

export interface PhaseBoundary {
  /** Index of the phase that starts here (never 0: the first phase has no boundary). */
  index: number;
  phase: string;
  step: number;
}

interface StepEpoch {
  step: number;
  epoch: number;
}

/**
 * The phase schedule of a resolved config (`config.training.phases`). The config arrives untyped over the
 * API (it is stored as JSON), so malformed entries are skipped rather than trusted.
 */
export function phasesOfConfig(config: unknown): PhaseSpan[] {
  const phases = (config as { training?: { phases?: unknown } } | null | undefined)?.training?.phases;
  if (!Array.isArray(phases)) return [];
  const out: PhaseSpan[] = [];
  for (const [i, p] of phases.entries()) {
    const epochs = (p as { epochs?: unknown } | null)?.epochs;
    const name = (p as { name?: unknown } | null)?.name;
    if (typeof epochs !== "number" || !Number.isFinite(epochs) || epochs <= 0) continue;
    out.push({ name: typeof name === "string" && name ? name : `phase ${i + 1}`, epochs });
  }
  return out;
}

/** Global epoch after which each phase starts: [0, e0, e0 + e1, ...]. */
export function phaseStartEpochs(phases: readonly PhaseSpan[]): number[] {
  const starts: number[] = [];
  let total = 0;
  for (const p of phases) {
    starts.push(total);
    total += p.epochs;
  }
  return starts;
}

/**
 * Boundaries for the phases the data has reached, in phase order. Any number of series can be passed
 * (train and val keys are logged at different steps); the earliest qualifying step over all of them wins.
 */
export function phaseBoundaries(phases: readonly PhaseSpan[], series: Iterable<readonly StepEpoch[]>): PhaseBoundary[] {
  const starts = phaseStartEpochs(phases);
  if (starts.length < 2) return [];
  const first: (number | undefined)[] = new Array(starts.length).fill(undefined);
  for (const points of series) {
    for (const p of points) {
      // every phase whose start this epoch exceeds: a downsampled point may skip a whole short phase
      for (let i = 1; i < starts.length && p.epoch > starts[i]; i++) {
        if (first[i] === undefined || p.step < first[i]!) first[i] = p.step;
      }
    }
  }
  const out: PhaseBoundary[] = [];
  for (let i = 1; i < starts.length; i++) {
    const step = first[i];
    if (step !== undefined) out.push({ index: i, phase: phases[i].name, step });
  }
  return out;
}
