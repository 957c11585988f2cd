import { describe, expect, it } from "vitest";
import { EventBus, streamFrom, type LiveEvent } from "./event-bus.ts";

const metrics = (step: number): LiveEvent => ({ type: "metrics", runId: "r", points: [{ key: "k", step, epoch: 1, time: step, value: step }] });

describe("EventBus + streamFrom", () => {
  it("keeps a stalled subscriber bounded, dropping old metric batches before run summaries and logs", async () => {
    const bus = new EventBus();
    const ac = new AbortController();
    const it = streamFrom(bus, "r", ac.signal, () => true, 10);
    const first = it.next(); // subscribes, then waits
    bus.publish("r", { type: "log", runId: "r", level: "info", message: "keep me", time: 0 });
    await first;
    for (let i = 0; i < 10_000; i++) bus.publish("r", metrics(i)); // never read: must not grow
    const seen: LiveEvent[] = [];
    for (let i = 0; i < 10; i++) seen.push((await it.next()).value as LiveEvent);
    expect(seen.every((e) => e.type === "metrics")).toBe(true);
    expect(seen.map((e) => (e.type === "metrics" ? e.points[0].step : -1))).toEqual([9990, 9991, 9992, 9993, 9994, 9995, 9996, 9997, 9998, 9999]);
    ac.abort();
    bus.publish("r", metrics(0));
    await it.return(undefined);
    expect(bus.size).toBe(0);
  });

  it("never drops a non-metric event while metric batches can go instead", async () => {
    const bus = new EventBus();
    const ac = new AbortController();
    const it = streamFrom(bus, null, ac.signal, () => true, 5);
    const first = it.next();
    bus.publish("r", metrics(-1));
    await first;
    bus.publish("r", { type: "log", runId: "r", level: "info", message: "a", time: 0 });
    for (let i = 0; i < 100; i++) bus.publish("r", metrics(i));
    bus.publish("r", { type: "log", runId: "r", level: "info", message: "b", time: 0 });
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) {
      const e = (await it.next()).value as LiveEvent;
      seen.push(e.type === "log" ? e.message : "m");
    }
    expect(seen).toEqual(["a", "m", "m", "m", "b"]);
    ac.abort();
  });
});
