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
  if (!existsSync(join(dir, "expected.npy"))) throw new Error(`${dir}/expected.npy is missing: re-export with \`python -m trainyard_trainer export\`, which saves the test batch`);
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
  const got = result[session.outputNames[0]].data as Float32Array;
  const expected = decodeNpyFloat32(readFileSync(join(dir, "expected.npy"))).data;
  if (got.length !== expected.length) throw new Error(`the ONNX model returned ${got.length} values, PyTorch ${expected.length}`);
  let maxAbsDiff = 0;
  for (let i = 0; i < got.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(got[i] - expected[i]));
  return { maxAbsDiff, outputs: got.length, ok: maxAbsDiff <= ONNX_TOLERANCE };
}
