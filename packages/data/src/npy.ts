// NumPy .npy (format 1.0) writer: the run arrays the trainer memory-maps.
import { writeFileAtomic } from "./atomic-write.ts";

type NpyArray = Float32Array | Uint8Array | BigInt64Array | Int32Array;

const DESCR = new Map<Function, string>([
  [Float32Array, "<f4"],
  [Uint8Array, "|u1"],
  [BigInt64Array, "<i8"],
  [Int32Array, "<i4"],
]);

export function encodeNpy(data: NpyArray, shape: readonly number[]): Uint8Array {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== data.length) throw new Error(`npy: shape [${shape}] holds ${n} values, data has ${data.length}`);
  const descr = DESCR.get(data.constructor);
  if (!descr) throw new Error(`npy: unsupported array type ${data.constructor.name}`);
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  // magic(6) + version(2) + header length(2) + header, padded with spaces to a multiple of 64, ending in \n
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, " ") + "\n";
  const out = new Uint8Array(total + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(Buffer.from(header, "latin1"), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}

export function writeNpy(path: string, data: NpyArray, shape: readonly number[]): void {
  writeFileAtomic(path, encodeNpy(data, shape));
}

/** Read a little-endian float32 .npy (C order) written by numpy: its data and shape. */
/** The header of a .npy file: dtype, shape, C order, and where the data starts. */
function npyHeader(bytes: Uint8Array): { descr: string; shape: number[]; start: number; header: string } {
  if (bytes[0] !== 0x93 || String.fromCharCode(...bytes.subarray(1, 6)) !== "NUMPY") throw new Error("npy: not a .npy file");
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = (major === 1 ? 10 : 12) + headerLen;
  const header = Buffer.from(bytes.subarray(major === 1 ? 10 : 12, start)).toString("latin1");
  if (/'fortran_order': True/.test(header)) throw new Error(`npy: expected C order, got ${header.trim()}`);
  const shape = (header.match(/'shape': \(([^)]*)\)/)?.[1] ?? "").split(",").map((s) => s.trim()).filter(Boolean).map(Number);
  return { descr: header.match(/'descr': '([^']+)'/)?.[1] ?? "", shape, start, header };
}

export function decodeNpyFloat32(bytes: Uint8Array): { data: Float32Array; shape: number[] } {
  const { descr, shape, start, header } = npyHeader(bytes);
  if (descr !== "<f4") throw new Error(`npy: expected C-order float32, got ${header.trim()}`);
  const copy = new Uint8Array(bytes.byteLength - start); // an aligned copy (Buffer#slice would be a view)
  copy.set(bytes.subarray(start));
  return { data: new Float32Array(copy.buffer, 0, copy.byteLength / 4), shape };
}

/** A little-endian int32 or int64 .npy (a run's rows.npy) as numbers. */
export function decodeNpyInts(bytes: Uint8Array): number[] {
  const { descr, start, header } = npyHeader(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  if (descr === "<i4") for (let o = start; o + 4 <= bytes.byteLength; o += 4) out.push(view.getInt32(o, true));
  else if (descr === "<i8") for (let o = start; o + 8 <= bytes.byteLength; o += 8) out.push(Number(view.getBigInt64(o, true)));
  else throw new Error(`npy: expected little-endian int32 or int64, got ${header.trim()}`);
  return out;
}
