import { describe, expect, it } from "vitest";
import { applyAllowList, parseNvidiaSmi, slotsFor } from "./inventory.ts";

// shape of `nvidia-smi --query-gpu=index,uuid,name,memory.total,memory.used,utilization.gpu --format=csv,noheader,nounits`
const CSV = `0, GPU-1a2b, NVIDIA H100 80GB HBM3, 81559, 1024, 37
1, GPU-3c4d, NVIDIA H100 80GB HBM3, 81559, 0, 0
2, GPU-5e6f, NVIDIA A100-SXM4-40GB, 40960, [N/A], [N/A]
`;

describe("GPU inventory", () => {
  it("parses nvidia-smi's CSV, with [N/A] readings as 0", () => {
    const gpus = parseNvidiaSmi(CSV + "WARNING: infoROM is corrupted at gpu 0000:00:04.0\n");
    expect(gpus).toHaveLength(3);
    expect(gpus[0]).toEqual({ index: 0, uuid: "GPU-1a2b", name: "NVIDIA H100 80GB HBM3", memoryTotalMiB: 81559, memoryUsedMiB: 1024, utilizationPct: 37 });
    expect(gpus[2]).toMatchObject({ index: 2, memoryUsedMiB: 0, utilizationPct: 0 });
  });
  it("applies the allow-list by index or UUID and names unknown entries", () => {
    const gpus = parseNvidiaSmi(CSV);
    expect(applyAllowList(gpus, "2, GPU-1a2b").map((g) => g.index)).toEqual([0, 2]);
    expect(applyAllowList(gpus, undefined)).toHaveLength(3);
    expect(() => applyAllowList(gpus, "0,7")).toThrow(/"7", which nvidia-smi does not list; GPUs here: 0 \(GPU-1a2b\)/);
  });
  it("offers one slot per GPU plus the CPU slots (for runs without a GPU), or CPU slots alone", () => {
    expect(slotsFor(parseNvidiaSmi(CSV).slice(1), 2)).toEqual([{ id: "gpu:1", gpu: 1 }, { id: "gpu:2", gpu: 2 }, { id: "cpu:0", gpu: null }, { id: "cpu:1", gpu: null }]);
    expect(slotsFor(parseNvidiaSmi(CSV).slice(1), 0).map((s) => s.id)).toEqual(["gpu:1", "gpu:2"]);
    expect(slotsFor(null, 3)).toEqual([{ id: "cpu:0", gpu: null }, { id: "cpu:1", gpu: null }, { id: "cpu:2", gpu: null }]);
    expect(slotsFor([], 0)).toHaveLength(1);
  });
});
