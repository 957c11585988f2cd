// training.progressive_unfreezing: a shorthand for phases (fastai's gradual unfreezing), expanded here so the
// trainer, the new-run form and its LR preview all see the same explicit phases.
//
//   progressive_unfreezing: {schedule: [5, 10, 15], epochs: 20, lr: 1.0e-3}
// on resnet50 (stages stem, layer1..layer4) becomes
//   heads       epochs 1-4    train [heads]
//   unfreeze_1  epochs 5-9    train [heads, layer4]
//   unfreeze_2  epochs 10-14  train [heads, layer4, layer3]
//   unfreeze_3  epochs 15-20  train [heads, layer4, layer3, layer2]
// schedule[i] is the (1-based) epoch from which the (i+1)-th group of `stages` trains too; `stages` defaults to
// the backbone's stages from the last one down, one per step (an entry may be a list: several at once). A step
// that reaches every stage trains [all]. Each phase gets lr, backbone_lr_mult, lr_schedule and warmup_epochs.
import { backboneStages, type StageOptions } from "./backbone-stages.ts";

export interface ProgressiveUnfreezing {
  schedule: number[];
  epochs: number;
  lr: number;
  stages?: (string | string[])[];
  backbone_lr_mult: number;
  lr_schedule: "constant" | "cosine" | "step" | "plateau";
  warmup_epochs: number;
}

export interface UnfreezingProblem {
  /** Below training.progressive_unfreezing. */
  path: (string | number)[];
  message: string;
}

export interface ExpandedPhase {
  name: string;
  epochs: number;
  lr: number;
  train: string[];
  backbone_lr_mult: number;
  schedule: ProgressiveUnfreezing["lr_schedule"];
  warmup_epochs: number;
}

/** What is wrong with a progressive-unfreezing block for this backbone (empty: it expands). */
export function unfreezingProblems(pu: ProgressiveUnfreezing, backbone: string, options: StageOptions = {}): UnfreezingProblem[] {
  const problems: UnfreezingProblem[] = [];
  const known = backboneStages(backbone, options);
  pu.schedule.forEach((e, i) => {
    if (i > 0 && e <= pu.schedule[i - 1]!)
      problems.push({ path: ["schedule", i], message: `the schedule must increase: epoch ${e} comes after ${pu.schedule[i - 1]}; list the epochs at which each stage group starts training, in order` });
    else if (e > pu.epochs)
      problems.push({ path: ["schedule", i], message: `epoch ${e} is after the last epoch (epochs: ${pu.epochs}); raise epochs or drop this step` });
  });
  if (pu.stages) {
    pu.stages.forEach((entry, i) => {
      for (const s of Array.isArray(entry) ? entry : [entry])
        if (!known.includes(s)) problems.push({ path: ["stages", i], message: `${JSON.stringify(s)} is not a stage of ${backbone}; its stages are ${known.join(", ")}` });
    });
  }
  const groups = pu.stages?.length ?? known.length;
  if (pu.schedule.length > groups)
    problems.push({ path: ["schedule"], message: `${pu.schedule.length} unfreezing steps but ${backbone} has ${groups} stage groups to unfreeze (${pu.stages ? "training.progressive_unfreezing.stages" : known.join(", ")}); shorten the schedule` });
  return problems;
}

/** The phases a (valid: unfreezingProblems is empty) progressive-unfreezing block stands for. */
export function expandProgressiveUnfreezing(pu: ProgressiveUnfreezing, backbone: string, options: StageOptions = {}): ExpandedPhase[] {
  const known = backboneStages(backbone, options);
  const groups = (pu.stages ?? [...known].reverse()).map((g) => (Array.isArray(g) ? g : [g]));
  const phase = (name: string, first: number, last: number, train: string[]): ExpandedPhase => ({
    name, epochs: last - first + 1, lr: pu.lr, train, backbone_lr_mult: pu.backbone_lr_mult, schedule: pu.lr_schedule, warmup_epochs: pu.warmup_epochs,
  });
  const out: ExpandedPhase[] = [];
  if (pu.schedule[0]! > 1) out.push(phase("heads", 1, pu.schedule[0]! - 1, ["heads"]));
  const training: string[] = [];
  pu.schedule.forEach((start, i) => {
    for (const s of groups[i]!) if (!training.includes(s)) training.push(s);
    const last = i + 1 < pu.schedule.length ? pu.schedule[i + 1]! - 1 : pu.epochs;
    const all = known.every((s) => training.includes(s));
    out.push(phase(`unfreeze_${i + 1}`, start, last, all ? ["all"] : ["heads", ...training]));
  });
  return out;
}
