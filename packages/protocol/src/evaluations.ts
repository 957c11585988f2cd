// Evaluations (`trainyard evaluate`, the run page's Evaluate button): one checkpoint of a run scored on a split
// of a dataset, as a queued job. What the daemon, the CLI and the dashboard agree an evaluation request and its
// states are.
import { z } from "zod";

export const EVALUATION_SPLITS = ["test", "val", "all"] as const;
export type EvaluationSplit = (typeof EVALUATION_SPLITS)[number];

export const EVALUATION_STATES = ["queued", "running", "completed", "failed", "cancelled"] as const;
export type EvaluationState = (typeof EVALUATION_STATES)[number];
export const FINAL_EVALUATION_STATES: readonly EvaluationState[] = ["completed", "failed", "cancelled"];

/** evaluations.create: the checkpoint defaults to `best`, the dataset to the run's own, the split to `test`. */
export const evaluationRequest = z.object({
  run: z.string().min(1).max(64),
  checkpoint: z.string().min(1).max(64).default("best"),
  dataset: z.string().min(1).max(128).optional(),
  split: z.enum(EVALUATION_SPLITS, { error: (issue) => `expected one of ${EVALUATION_SPLITS.join(", ")}, got ${JSON.stringify(issue.input)}` }).default("test"),
});
export type EvaluationRequest = z.input<typeof evaluationRequest>;

export interface EvaluationCurve {
  kind: string;
  class: string;
  points: unknown[];
}

/** What evaluations.list / get answer (get adds the curves). */
export interface EvaluationSummary {
  id: string;
  runId: string;
  checkpoint: string;
  /** The checkpoint's epoch when the evaluation was created. */
  epoch: number | null;
  dataset: string;
  split: EvaluationSplit;
  status: EvaluationState;
  /** Keys `<split>/<metric>`, as the run's own val/test metrics are named. */
  metrics: Record<string, number | null> | null;
  samples: number | null;
  error: string | null;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
}
