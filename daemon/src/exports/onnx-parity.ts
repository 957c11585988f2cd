// Repeat an ONNX export's parity check with onnxruntime (the Python trainer often has no ONNX runtime):
// run the test batch the trainer saved beside the export (<file>.check/*.npy) and compare with PyTorch's
// outputs.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeNpyFloat32 } from "@trainyard/data";

export const ONNX_TOLERANCE = 1e-4;

export async function checkOnnxParity(onnxPath: string): Promise<{ maxAbsDiff: number; outputs: number; ok: boolean }> {
  const dir = `${onnxPath}.check`;
  if (!existsSync(onnxPath)) throw new Error(`${onnxPath}: no such file`);
  const ort = await import("onnxruntime-node");
  const session = await ort.InferenceSession.create(onnxPath, { executionProviders: ["cpu"] });
  const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
  for (const name of session.inputNames) {
    const file = join(dir, `${name}.npy`);
    if (!existsSync(file)) throw new Error(`the model takes input "${name}" but ${file} is missing`);
    const { data, shape } = decodeNpyFloat32(readFileSync(file));
    feeds[name] = new ort.Tensor("float32", data, shape);
  }
  const result = await session.run(feeds);
  // one output (a classifier's probabilities) in expected.npy; several (a detector's boxes, scores, labels) in
  // expected-<name>.npy, where another number of detections than PyTorch's is a mismatch
  const single = session.outputNames.length === 1 && existsSync(join(dir, "expected.npy"));
  let maxAbsDiff = 0;
  let outputs = 0;
  for (const name of session.outputNames) {
    const file = join(dir, single ? "expected.npy" : `expected-${name}.npy`);
    if (!existsSync(file)) throw new Error(`${file} is missing: re-export with \`python -m trainyard_trainer export\`, which saves the test batch`);
    const data = result[name].data as Float32Array | BigInt64Array | Int32Array;
    const got = Array.from(data as ArrayLike<number | bigint>, Number);
    const expected = decodeNpyFloat32(readFileSync(file)).data;
    if (got.length !== expected.length) return { maxAbsDiff: Number.POSITIVE_INFINITY, outputs: got.length, ok: false };
    for (let i = 0; i < got.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(got[i] - expected[i]));
    outputs += got.length;
  }
  return { maxAbsDiff, outputs, ok: maxAbsDiff <= ONNX_TOLERANCE };
}
