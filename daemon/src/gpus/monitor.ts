// Polls nvidia-smi every few seconds and stores each GPU's utilisation and memory as system metrics of
// the run holding it (system/gpu<i>/util in %, system/gpu<i>/mem in MiB), so the run page can chart them.
import { IngestWriter, getRun, type MetricPoint } from "@trainyard/db";
import type { Daemon } from "../daemon.ts";
import { queryGpus, type GpuInfo } from "./inventory.ts";

export class GpuMonitor {
  private timer: NodeJS.Timeout | null = null;
  private writer: IngestWriter;
  private polling = false;
  latest: GpuInfo[] = [];

  constructor(
    private daemon: Daemon,
    private intervalMs = Number(process.env.TRAINYARD_GPU_POLL_MS ?? 5000),
  ) {
    this.writer = new IngestWriter(daemon.store.sqlite);
  }

  start(): void {
    if (this.timer || !this.daemon.scheduler.hasGpus) return;
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async poll(): Promise<void> {
    if (this.polling) return; // a hung nvidia-smi must not pile up processes
    this.polling = true;
    try {
      const gpus = await queryGpus();
      if (!gpus || !this.timer) return;
      this.latest = gpus;
      const byRun = new Map<string, MetricPoint[]>();
      const time = Date.now() / 1000;
      for (const slot of this.daemon.scheduler.slots()) {
        const gpu = gpus.find((g) => g.index === slot.gpu);
        if (!gpu || !slot.run) continue;
        const run = getRun(this.daemon.store.db, slot.run);
        if (!run) continue;
        const points = byRun.get(run.id) ?? [];
        const base = { runId: run.id, step: run.step, epoch: run.epoch, phase: run.phase, time };
        points.push({ ...base, key: `system/gpu${gpu.index}/util`, value: gpu.utilizationPct });
        points.push({ ...base, key: `system/gpu${gpu.index}/mem`, value: gpu.memoryUsedMiB });
        byRun.set(run.id, points);
      }
      if (!byRun.size) return;
      this.writer.write({ metrics: [...byRun.values()].flat(), events: [], offsets: new Map() });
      for (const [runId, points] of byRun)
        this.daemon.bus.publish(runId, { type: "metrics", runId, points: points.map(({ key, step, epoch, time: t, value }) => ({ key, step, epoch, time: t, value })) });
    } finally {
      this.polling = false;
    }
  }
}
