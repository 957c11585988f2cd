// Trainer stdout line -> a typed event. Lines that are not protocol JSON become info logs, so nothing
// the trainer printed is dropped, and replay maps them the same way.
export type TrainerEvent =
  | { type: "status"; state: string; phase?: string; epoch?: number; epochs?: number; step?: number; steps?: number; time: number }
  | { type: "metrics"; step: number; epoch: number; phase: string | null; time: number; values: Record<string, number> }
  | { type: "curve"; time: number; payload: Record<string, unknown> }
  | { type: "checkpoint"; name: string; epoch: number; step: number; dir: string; monitor: { name: string; value: number } | null; time: number }
  | { type: "log"; level: string; message: string; time: number }
  | { type: "done"; state: string; error?: string; best?: { name: string; value: number; epoch?: number } | null; time: number };

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
      obj = JSON.parse(text.replace(/(?<![\w"])(-?Infinity|NaN)(?![\w"])/g, "null"));
    } catch {
      return { type: "log", level: "info", message: text.slice(0, 4000), time: now };
    }
  }
  if (!obj || typeof obj !== "object" || typeof obj.type !== "string") return { type: "log", level: "info", message: text.slice(0, 4000), time: now };
  const time = num(obj.time, now);
  switch (obj.type) {
    case "status":
      return { type: "status", state: String(obj.state ?? "running"), phase: obj.phase, epoch: obj.epoch, epochs: obj.epochs, step: obj.step, steps: obj.steps, time };
    case "metrics": {
      const values: Record<string, number> = {};
      for (const [k, v] of Object.entries(obj.values ?? {})) if (typeof v === "number" && Number.isFinite(v)) values[k] = v;
      return { type: "metrics", step: num(obj.step), epoch: num(obj.epoch), phase: obj.phase ?? null, time, values };
    }
    case "curve":
      return { type: "curve", time, payload: obj };
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
