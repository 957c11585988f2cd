// Trainer stdout line -> a typed event. Lines that are not protocol JSON become info logs, so nothing
// the trainer printed is dropped, and replay maps them the same way.
import type { PredictedBox, SampleItem, TrainerEventType, TruthBox } from "@trainyard/protocol/events";
import { decodeMetricValue } from "@trainyard/protocol/metric-values";

export type TrainerEvent =
  | { type: "status"; state: string; phase?: string; epoch?: number; epochs?: number; step?: number; steps?: number; time: number }
  | { type: "metrics"; step: number; epoch: number; phase: string | null; time: number; values: Record<string, number> }
  | { type: "curve"; time: number; payload: Record<string, unknown> }
  | { type: "samples"; split: string; epoch: number; step: number; time: number; items: SampleItem[]; problems: string[] }
  | { type: "checkpoint"; name: string; epoch: number; step: number; dir: string; monitor: { name: string; value: number } | null; time: number }
  | { type: "log"; level: string; message: string; time: number }
  | { type: "done"; state: string; error?: string; best?: { name: string; value: number; epoch?: number } | null; time: number };

// every parsed event is one the protocol names: a type missing from TRAINER_EVENT_TYPES fails to compile here
type ProtocolType<T extends TrainerEventType> = T;
export type TrainerEventName = ProtocolType<TrainerEvent["type"]>;

/** At most this many images per samples event are kept (the trainer sends training.detection.sample_images). */
export const MAX_SAMPLE_ITEMS = 256;
/** At most this many boxes per image and kind (the trainer caps predictions at max_detections). */
export const MAX_SAMPLE_BOXES = 1000;

const optNum = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const num = (v: unknown, fallback = 0) => (typeof v === "number" && Number.isFinite(v) ? v : fallback);

export function parseEventLine(line: string, now = Date.now() / 1000): TrainerEvent | null {
  const text = line.trim();
  if (!text) return null;
  let obj: Record<string, any>;
  try {
    obj = JSON.parse(text);
  } catch {
    try {
      // Python's json.dumps writes NaN / Infinity, which JSON does not allow.
      // bare NaN / Infinity (Python's json.dumps default) become the names the protocol uses for them
      obj = JSON.parse(text.replace(/(?<![\w"])(-?Infinity|NaN)(?![\w"])/g, '"$1"'));
    } catch {
      return { type: "log", level: "info", message: text.slice(0, 4000), time: now };
    }
  }
  if (!obj || typeof obj !== "object" || typeof obj.type !== "string") return { type: "log", level: "info", message: text.slice(0, 4000), time: now };
  const time = num(obj.time, now);
  switch (obj.type) {
    case "status":
      return { type: "status", state: String(obj.state ?? "running"), phase: obj.phase, epoch: optNum(obj.epoch), epochs: optNum(obj.epochs), step: optNum(obj.step), steps: optNum(obj.steps), time };
    case "metrics": {
      const values: Record<string, number> = {};
      // a non-finite value is kept (a diverged loss must show), sent by name: "NaN", "Infinity", "-Infinity"
      for (const [k, v] of Object.entries(obj.values ?? {})) {
        const value = decodeMetricValue(v);
        if (value !== undefined) values[k] = value;
      }
      return { type: "metrics", step: num(obj.step), epoch: num(obj.epoch), phase: obj.phase ?? null, time, values };
    }
    case "curve":
      return { type: "curve", time, payload: obj };
    case "samples":
      return parseSamples(obj, time);
    case "checkpoint":
      return {
        type: "checkpoint",
        name: String(obj.name),
        epoch: num(obj.epoch),
        step: num(obj.step),
        dir: String(obj.dir ?? ""),
        monitor: obj.monitor && typeof obj.monitor.value === "number" ? { name: String(obj.monitor.name), value: obj.monitor.value } : null,
        time,
      };
    case "log":
      return { type: "log", level: String(obj.level ?? "info"), message: String(obj.message ?? ""), time };
    case "done":
      return { type: "done", state: String(obj.state ?? "completed"), error: obj.error, best: obj.best ?? null, time };
    default:
      return { type: "log", level: "warning", message: `unknown event type "${obj.type}": ${text.slice(0, 500)}`, time };
  }
}

const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** A box's four coordinates, finite and not inverted, or why not. */
function boxCoords(b: unknown[]): string | null {
  if (!b.slice(0, 4).every(finite)) return "coordinates must be four finite numbers";
  const [x0, y0, x1, y1] = b as number[];
  if (x1 < x0 || y1 < y0) return "x1 < x0 or y1 < y0";
  return null;
}

/**
 * A samples event (detection evaluations: predicted and true boxes of a few fixed validation images).
 * Malformed items and boxes are dropped one by one and named in `problems`, which ingest logs as a
 * warning, so one bad box does not lose the evaluation's other images.
 */
function parseSamples(obj: Record<string, any>, time: number): TrainerEvent {
  const problems: string[] = [];
  const where = `samples event (split ${JSON.stringify(obj.split ?? "val")}, epoch ${obj.epoch})`;
  if (!Array.isArray(obj.items))
    return { type: "log", level: "warning", message: `${where}: "items" must be a list of {row, boxes, truth}; the event was not stored`, time };
  const items: SampleItem[] = [];
  const seen = new Set<number>();
  for (const [i, raw] of (obj.items as unknown[]).entries()) {
    if (items.length >= MAX_SAMPLE_ITEMS) {
      problems.push(`${obj.items.length - i} items past the first ${MAX_SAMPLE_ITEMS} dropped`);
      break;
    }
    const item = raw as Record<string, unknown> | null;
    const row = item?.row;
    if (!item || typeof item !== "object" || !Number.isInteger(row) || (row as number) < 0) {
      problems.push(`item ${i}: "row" must be a non-negative integer (the image's dataset table row)`);
      continue;
    }
    if (seen.has(row as number)) {
      problems.push(`item ${i}: row ${row} appears twice; the first is kept`);
      continue;
    }
    seen.add(row as number);
    const boxes: PredictedBox[] = [];
    for (const [j, b] of (Array.isArray(item.boxes) ? item.boxes : []).entries()) {
      const bad = !Array.isArray(b) || b.length < 6 ? "must be [x0, y0, x1, y1, score, class]" : boxCoords(b) ?? (!finite(b[4]) ? "score must be a finite number" : typeof b[5] !== "string" ? "class must be a string" : null);
      if (bad) problems.push(`item ${i} (row ${row}) box ${j}: ${bad}`);
      else if (boxes.length < MAX_SAMPLE_BOXES) boxes.push([b[0], b[1], b[2], b[3], b[4], b[5]]);
    }
    const truth: TruthBox[] = [];
    for (const [j, b] of (Array.isArray(item.truth) ? item.truth : []).entries()) {
      const bad = !Array.isArray(b) || b.length < 5 ? "must be [x0, y0, x1, y1, class]" : boxCoords(b) ?? (typeof b[4] !== "string" ? "class must be a string" : null);
      if (bad) problems.push(`item ${i} (row ${row}) truth box ${j}: ${bad}`);
      else if (truth.length < MAX_SAMPLE_BOXES) truth.push([b[0], b[1], b[2], b[3], b[4]]);
    }
    items.push({ row: row as number, boxes, truth });
  }
  return { type: "samples", split: typeof obj.split === "string" && obj.split ? obj.split.slice(0, 20) : "val", epoch: num(obj.epoch), step: num(obj.step), time, items, problems };
}
