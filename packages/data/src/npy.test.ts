import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeNpyFloat32, encodeNpy, writeNpy, decodeNpyInts } from "./npy.ts";

describe("npy", () => {
  it("writes a header numpy accepts, aligned to 64 bytes", () => {
    const bytes = encodeNpy(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    const headerLen = new DataView(bytes.buffer).getUint16(8, true);
    expect((10 + headerLen) % 64).toBe(0);
    expect(Buffer.from(bytes.slice(10, 10 + headerLen)).toString("latin1")).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/);
    expect(() => encodeNpy(new Float32Array(5), [2, 3])).toThrow(/holds 6 values/);
  });

  it("round-trips through numpy when a Python with numpy is here", (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), "npy-"));
    writeNpy(join(dir, "a.npy"), new BigInt64Array([3n, -1n, 7n]), [3]);
    writeNpy(join(dir, "b.npy"), Uint8Array.from([0, 2, 1, 1]), [4]);
    let out: string;
    try {
      out = execFileSync("/usr/bin/python3", ["-c", `import numpy as np; a=np.load('${dir}/a.npy'); b=np.load('${dir}/b.npy'); print(a.dtype, a.tolist(), b.dtype, b.tolist())`], { encoding: "utf8" });
    } catch {
      return ctx.skip();
    }
    expect(out.trim()).toBe("int64 [3, -1, 7] uint8 [0, 2, 1, 1]");
  });
});

describe("decodeNpyFloat32", () => {
  it("reads back what encodeNpy wrote, from a Buffer at any offset", () => {
    const bytes = Buffer.concat([Buffer.alloc(3), Buffer.from(encodeNpy(new Float32Array([1.5, -2, 3.25, 4, 5, 6]), [2, 3]))]).subarray(3);
    const { data, shape } = decodeNpyFloat32(bytes);
    expect(shape).toEqual([2, 3]);
    expect(Array.from(data)).toEqual([1.5, -2, 3.25, 4, 5, 6]);
    expect(() => decodeNpyFloat32(encodeNpy(Uint8Array.from([1]), [1]))).toThrow(/float32/);
  });
});

describe("decodeNpyInts", () => {
  it("reads int64 and int32 vectors and refuses other dtypes", () => {
    expect(decodeNpyInts(encodeNpy(BigInt64Array.from([3n, -1n, 9007199254740991n]), [3]))).toEqual([3, -1, 9007199254740991]);
    expect(decodeNpyInts(encodeNpy(Int32Array.from([7, -2]), [2]))).toEqual([7, -2]);
    expect(() => decodeNpyInts(encodeNpy(Float32Array.from([1]), [1]))).toThrow(/expected little-endian int32 or int64/);
  });
});
