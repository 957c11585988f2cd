// `trainyard check-onnx FILE`: compare an ONNX export with PyTorch's outputs on the trainer's test batch.
import { checkOnnxParity, ONNX_TOLERANCE } from "../exports/onnx-parity.ts";

export async function checkOnnx(args: string[]): Promise<number> {
  const file = args[0];
  if (!file) throw new Error("usage: trainyard check-onnx MODEL.onnx");
  const r = await checkOnnxParity(file);
  console.log(`${file}: ${r.outputs} outputs, max |onnxruntime - PyTorch| = ${r.maxAbsDiff.toExponential(2)} (tolerance ${ONNX_TOLERANCE}): ${r.ok ? "ok" : "MISMATCH"}`);
  return r.ok ? 0 : 1;
}
