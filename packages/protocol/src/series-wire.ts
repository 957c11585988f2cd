// Bucketed series on the wire between the daemon and the browser: each column a little-endian typed array
// in base64 instead of a JSON array of numbers. Steps and wall times stay float64 (exact); values, means,
// epochs and counts go as float32 (seven significant digits, what TensorBoard's event files store; epochs
// and counts are exact below 2^24). A compare view's 300 series × 400 buckets were 7.9 MB of JSON numbers
// that the daemon had to print and the browser to parse before the first paint; base64 is printed and
// parsed as one string per column. Exact values stay one click away: CSV export reads the store.
// Pure, and the same module on both ends (Node's Buffer where there is one, atob / btoa in a browser).
import type { BucketedSeries, SeriesSmoothing } from "./series.ts";

export interface WireSeries {
  total: number;
  step: string;
  epoch: string;
  time: string;
  last: string;
  min: string;
  max: string;
  mean: string;
  count: string;
}

export interface WireSmoothing {
  total: number;
  smooth: string;
}

type NodeBuffer = { from(a: ArrayBufferLike | string, o?: number | string, l?: number): { toString(enc: string): string; buffer: ArrayBufferLike; byteOffset: number; byteLength: number } };
const NodeBuf = (globalThis as { Buffer?: NodeBuffer }).Buffer;

function toBase64(bytes: Uint8Array): string {
  if (NodeBuf) return NodeBuf.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  if (NodeBuf) {
    const b = NodeBuf.from(text, "base64");
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

const f64 = (xs: ArrayLike<number>) => toBase64(new Uint8Array(Float64Array.from(xs).buffer));
const f32 = (xs: ArrayLike<number>) => toBase64(new Uint8Array(Float32Array.from(xs).buffer));

/** A column back as plain numbers (the charts use array methods on them). Copies, so alignment never matters. */
function column(text: string, type: "f64" | "f32", n: number): number[] {
  const bytes = fromBase64(text);
  const size = type === "f64" ? 8 : 4;
  if (bytes.byteLength !== n * size) throw new Error(`series column is ${bytes.byteLength} bytes, expected ${n * size}`);
  const copy = new Uint8Array(bytes); // a fresh, aligned buffer
  return Array.from(type === "f64" ? new Float64Array(copy.buffer) : new Float32Array(copy.buffer));
}

export function encodeSeries(b: BucketedSeries): WireSeries {
  return {
    total: b.total,
    step: f64(b.step),
    epoch: f32(b.epoch),
    time: f64(b.time),
    last: f32(b.last),
    min: f32(b.min),
    max: f32(b.max),
    mean: f32(b.mean),
    count: f32(b.count),
  };
}

/** Bytes a base64 text decodes to. */
function decodedLength(text: string): number {
  return (text.length * 3) / 4 - (text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0);
}

export function decodeSeries(w: WireSeries): BucketedSeries {
  const n = decodedLength(w.step) / 8;
  return {
    step: column(w.step, "f64", n),
    epoch: column(w.epoch, "f32", n),
    time: column(w.time, "f64", n),
    last: column(w.last, "f32", n),
    min: column(w.min, "f32", n),
    max: column(w.max, "f32", n),
    mean: column(w.mean, "f32", n),
    count: column(w.count, "f32", n),
    smooth: null,
    total: w.total,
  };
}

export function encodeSmoothing(s: SeriesSmoothing): WireSmoothing {
  return { total: s.total, smooth: f32(s.smooth) };
}

export function decodeSmoothing(w: WireSmoothing): SeriesSmoothing {
  return { total: w.total, smooth: column(w.smooth, "f32", decodedLength(w.smooth) / 4) };
}
