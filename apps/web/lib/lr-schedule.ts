// The learning rate over epochs that a phase schedule produces, for the new-run form's preview chart;
// mirrors packages/trainer/trainyard_trainer/phase_schedule.py (PhaseSchedule.lr) with a nominal number of
// steps per epoch. Plateau depends on the metric, so it is drawn as its starting LR. Pure; no React.

export interface LrPhase {
  name: string;
  epochs: number;
  lr: number;
  schedule?: "constant" | "cosine" | "step" | "plateau";
  warmup_epochs?: number;
  step_size?: number;
  gamma?: number;
  min_lr?: number;
  backbone_lr_mult?: number;
  train?: string[];
}

export interface LrPoint {
  /** Global epoch position (0 = start of training). */
  epoch: number;
  /** Heads-group LR. */
  lr: number;
  /** Backbone-group LR (lr × backbone_lr_mult), null while the backbone is frozen. */
  backbone: number | null;
  phase: number;
}

/** LR of one phase at `step` (0-based within the phase), as the trainer's PhaseSchedule.lr. */
export function phaseLr(p: LrPhase, step: number, stepsPerEpoch: number): number {
  const total = p.epochs * stepsPerEpoch;
  const warm = Math.min(total, Math.round((p.warmup_epochs ?? 0) * stepsPerEpoch));
  if (step < warm) return (p.lr * (step + 1)) / warm;
  const t = step - warm;
  const minLr = p.min_lr ?? 0;
  switch (p.schedule ?? "constant") {
    case "cosine": {
      const span = Math.max(1, total - warm);
      return minLr + (p.lr - minLr) * 0.5 * (1 + Math.cos((Math.PI * Math.min(t, span)) / span));
    }
    case "step":
      return p.lr * Math.pow(p.gamma ?? 0.1, Math.floor(Math.floor(t / stepsPerEpoch) / Math.max(1, p.step_size ?? 1)));
    default:
      return p.lr;
  }
}

const frozenBackbone = (p: LrPhase) => (p.train ?? ["all"]).every((t) => t === "heads");

export function lrCurve(phases: readonly LrPhase[], stepsPerEpoch = 20): LrPoint[] {
  const out: LrPoint[] = [];
  let start = 0;
  phases.forEach((p, index) => {
    if (!(p.epochs > 0) || !(p.lr > 0)) return;
    const steps = Math.round(p.epochs * stepsPerEpoch);
    for (let s = 0; s < steps; s++) {
      const lr = phaseLr(p, s, stepsPerEpoch);
      out.push({ epoch: start + s / stepsPerEpoch, lr, backbone: frozenBackbone(p) ? null : lr * (p.backbone_lr_mult ?? 1), phase: index });
    }
    start += p.epochs;
  });
  return out;
}

/** Epoch positions where phases 2..n start. */
export function phaseStarts(phases: readonly LrPhase[]): { epoch: number; name: string }[] {
  const out: { epoch: number; name: string }[] = [];
  let e = 0;
  phases.forEach((p, i) => {
    if (i > 0) out.push({ epoch: e, name: p.name });
    e += Math.max(0, p.epochs || 0);
  });
  return out;
}
