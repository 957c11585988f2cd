// Which queued runs start now, and why the others wait. Pure: the scheduler feeds it the queue and the
// free slots and launches what it returns.
//
// Policy: higher priority first, FIFO within a priority. A run that does not fit lets smaller runs behind
// it start (backfill), but only for a while: once the first blocked run has waited `reserveAfterMs`, the
// slots that are free (and those that free up) are held for it until it fits, so a large run is never
// starved by a stream of small ones. Runtimes are unknown, so this bounded-wait reservation replaces
// EASY backfill's "only if it finishes before the reservation" rule.

export interface QueuedRun {
  id: string;
  /** Slots requested (GPUs, or CPU slots on a machine without GPUs). */
  need: number;
  /** When it entered the queue (ms). */
  queuedAt: number;
}

export interface QueueState {
  /** 1-based place in the queue (priority, then FIFO). */
  position: number;
  /** What it waits for, in words. */
  reason: string;
}

export interface QueueDecision {
  launch: { id: string; slots: string[] }[];
  waiting: Map<string, QueueState>;
}

export function decideQueue(
  queue: QueuedRun[],
  freeSlots: string[],
  totalSlots: number,
  now: number,
  reserveAfterMs: number,
  slotWord = "GPU",
): QueueDecision {
  const free = [...freeSlots];
  const launch: QueueDecision["launch"] = [];
  const waiting = new Map<string, QueueState>();
  let held = 0; // free slots held for the reserving run
  let reservingId: string | null = null;
  const plural = (n: number) => `${n} ${slotWord}${n === 1 ? "" : "s"}`;
  queue.forEach((run, i) => {
    const position = i + 1;
    if (run.need > totalSlots) {
      const fix = slotWord === "GPU" ? "cancel it and lower resources.gpus" : "restart the daemon with --cpu-slots 1 (TRAINYARD_CPU_SLOTS), or cancel it and ask for a GPU";
      waiting.set(run.id, { position, reason: `needs ${plural(run.need)} but the daemon has ${totalSlots}; ${fix}` });
      return;
    }
    const available = free.length - held;
    if (available >= run.need) {
      launch.push({ id: run.id, slots: free.splice(held, run.need) });
      return;
    }
    if (reservingId === null && now - run.queuedAt >= reserveAfterMs) {
      reservingId = run.id;
      held += available;
      waiting.set(run.id, { position, reason: `waiting for ${plural(run.need)} (${plural(free.length)} free); freed ${slotWord}s are held for it` });
      return;
    }
    const reason =
      reservingId !== null && free.length >= run.need
        ? `waiting: the free ${slotWord}s are held for ${reservingId}, which has waited longest`
        : `waiting for ${plural(run.need)} (${plural(available)} free)`;
    waiting.set(run.id, { position, reason });
  });
  return { launch, waiting };
}
