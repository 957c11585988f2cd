// The trainer's event lines (one JSON object per stdout line, packages/trainer/trainyard_trainer/events.py)
// as far as the daemon and the dashboard both read them: the event types, and the boxes of a samples event,
// which the daemon stores as sent and the prediction gallery draws.

export const TRAINER_EVENT_TYPES = ["status", "metrics", "curve", "samples", "checkpoint", "log", "done"] as const;
export type TrainerEventType = (typeof TRAINER_EVENT_TYPES)[number];

/** A predicted box: x0, y0, x1, y1 in source-image pixels, score, class name. */
export type PredictedBox = [number, number, number, number, number, string];
/** A ground-truth box: x0, y0, x1, y1 in source-image pixels, class name. */
export type TruthBox = [number, number, number, number, string];

/** One sampled image of an evaluation: its dataset table row (= image-cache row) and boxes. */
export interface SampleItem {
  row: number;
  boxes: PredictedBox[];
  truth: TruthBox[];
}
