// GPU inventory from nvidia-smi: what the machine has, which of it the daemon may use (the allow-list),
// and the slots the scheduler hands out (one per GPU, or CPU slots on machines without one).
import { execFile, execFileSync } from "node:child_process";

export interface GpuInfo {
  index: number;
  uuid: string;
  name: string;
  memoryTotalMiB: number;
  memoryUsedMiB: number;
  utilizationPct: number;
}

export interface Slot {
  /** "gpu:<index>" or "cpu:<n>" */
  id: string;
  gpu: number | null;
}

export const NVIDIA_SMI_QUERY = ["--query-gpu=index,uuid,name,memory.total,memory.used,utilization.gpu", "--format=csv,noheader,nounits"];

const numberOr = (s: string | undefined, fallback: number) => {
  const n = Number(s?.trim());
  return s !== undefined && s.trim() !== "" && Number.isFinite(n) ? n : fallback;
};

/** Parses `nvidia-smi --query-gpu=... --format=csv,noheader,nounits`; "[N/A]" readings become 0. */
export function parseNvidiaSmi(csv: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const line of csv.split("\n")) {
    if (!line.trim()) continue;
    const cols = line.split(",").map((c) => c.trim());
    if (cols.length < 6 || !/^\d+$/.test(cols[0])) continue; // a warning line, not a GPU
    // GPU names do not contain commas today; if one does, the name is everything between uuid and the numbers
    const tail = cols.slice(-3);
    gpus.push({
      index: Number(cols[0]),
      uuid: cols[1],
      name: cols.slice(2, -3).join(", "),
      memoryTotalMiB: numberOr(tail[0], 0),
      memoryUsedMiB: numberOr(tail[1], 0),
      utilizationPct: numberOr(tail[2], 0),
    });
  }
  return gpus;
}

/**
 * The allow-list (TRAINYARD_GPUS / --gpus): comma-separated indices or UUIDs. Unknown entries are an error
 * that names them and what exists, so a typo never silently leaves a GPU idle or hands out a wrong one.
 */
export function applyAllowList(gpus: GpuInfo[], allow: string | undefined): GpuInfo[] {
  if (allow === undefined || allow.trim() === "") return gpus;
  const wanted = allow.split(",").map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((w) => !gpus.some((g) => String(g.index) === w || g.uuid === w));
  if (unknown.length)
    throw new Error(
      `TRAINYARD_GPUS / --gpus names ${unknown.map((u) => `"${u}"`).join(", ")}, which nvidia-smi does not list; ` +
        `GPUs here: ${gpus.map((g) => `${g.index} (${g.uuid})`).join(", ") || "none"}`,
    );
  return gpus.filter((g) => wanted.includes(String(g.index)) || wanted.includes(g.uuid));
}

/** nvidia-smi's answer now, or null when there is no NVIDIA driver (a laptop, CI). */
export function queryGpusSync(): GpuInfo[] | null {
  try {
    return parseNvidiaSmi(execFileSync("nvidia-smi", NVIDIA_SMI_QUERY, { encoding: "utf8", timeout: 10_000, stdio: ["ignore", "pipe", "ignore"] }));
  } catch {
    return null;
  }
}

export function queryGpus(): Promise<GpuInfo[] | null> {
  return new Promise((resolve) =>
    execFile("nvidia-smi", NVIDIA_SMI_QUERY, { encoding: "utf8", timeout: 10_000 }, (err, stdout) => resolve(err ? null : parseNvidiaSmi(stdout))),
  );
}

/**
 * The slot table: a slot per GPU, then `cpuSlots` CPU slots. On a GPU machine the CPU slots take the runs
 * that ask for no GPU (`resources.gpus: 0`), which never hold a GPU; without GPUs every run takes a CPU
 * slot, at least one.
 */
export function slotsFor(gpus: GpuInfo[] | null, cpuSlots: number): Slot[] {
  const gpuSlots = (gpus ?? []).map((g) => ({ id: `gpu:${g.index}`, gpu: g.index }));
  const cpus = Math.max(gpuSlots.length ? 0 : 1, Math.floor(cpuSlots) || 0);
  return [...gpuSlots, ...Array.from({ length: cpus }, (_, i) => ({ id: `cpu:${i}`, gpu: null }))];
}
