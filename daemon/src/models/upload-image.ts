// An uploaded image, decoded in memory (never written to disk) into the model's input exactly as the trainer
// sees a cached image: decodeSquare (the image cache's own decode: orientation, resize kernel, crop or
// letterbox) at the model's size, then RGB in [0, 1], channels first. The model normalises inside.
import { decodeSquare, readImageHeader, type CacheFit, type ImageHeader } from "@trainyard/data";
import { PREDICT_MAX_BYTES, PREDICT_MAX_PIXELS } from "@trainyard/protocol";
import { PredictionError } from "./prediction-target.ts";

export interface UploadLimits {
  maxBytes: number;
  maxPixels: number;
}

/** The defaults, or TRAINYARD_PREDICT_MAX_BYTES / TRAINYARD_PREDICT_MAX_PIXELS. */
export function uploadLimits(env = process.env): UploadLimits {
  const read = (name: string, fallback: number) => {
    const v = env[name];
    if (v === undefined || v === "") return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}=${v}: expected a positive whole number`);
    return n;
  };
  return { maxBytes: read("TRAINYARD_PREDICT_MAX_BYTES", PREDICT_MAX_BYTES), maxPixels: read("TRAINYARD_PREDICT_MAX_PIXELS", PREDICT_MAX_PIXELS) };
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) ? 1 : 0)} MiB`;

/** Refuses what is not a PNG or JPEG within the limits, before any pixel is decoded. */
export function checkUpload(bytes: Uint8Array, limits: UploadLimits): ImageHeader {
  if (bytes.length === 0) throw new PredictionError("the upload is empty (0 bytes): send a PNG or JPEG image");
  if (bytes.length > limits.maxBytes) throw new PredictionError(`the upload is ${mib(bytes.length)}, over the ${mib(limits.maxBytes)} limit (TRAINYARD_PREDICT_MAX_BYTES)`, 413);
  const header = readImageHeader(bytes);
  if (!header) throw new PredictionError("the upload is not a PNG or JPEG image (its first bytes are neither signature)", 415);
  const pixels = header.width * header.height;
  if (pixels > limits.maxPixels)
    throw new PredictionError(`the image declares ${header.width}x${header.height} pixels (${pixels.toLocaleString("en")}), over the ${limits.maxPixels.toLocaleString("en")}-pixel limit (TRAINYARD_PREDICT_MAX_PIXELS); resize it first`, 413);
  return header;
}

export interface ModelImage {
  /** float32 [3, size, size], RGB in [0, 1]. */
  chw: Float32Array;
  /** pad: [scale_x, scale_y, pad_x, pad_y, source_w, source_h] (model pixels = source * scale + pad). */
  geometry: number[] | null;
  header: ImageHeader;
}

export async function decodeUpload(bytes: Uint8Array, size: number, fit: CacheFit, limits: UploadLimits): Promise<ModelImage> {
  const header = checkUpload(bytes, limits);
  let square: { pixels: Buffer; geometry: number[] | null };
  try {
    square = await decodeSquare(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), size, fit, { limitInputPixels: limits.maxPixels });
  } catch (e) {
    const why = (e as Error).message.split("\n")[0];
    if (/pixel limit/i.test(why)) throw new PredictionError(`the image is over the ${limits.maxPixels.toLocaleString("en")}-pixel limit (TRAINYARD_PREDICT_MAX_PIXELS)`, 413);
    throw new PredictionError(`the ${header.format.toUpperCase()} upload cannot be decoded: ${why}`, 415);
  }
  const plane = size * size;
  const chw = new Float32Array(3 * plane);
  const px = square.pixels;
  for (let i = 0; i < plane; i++) {
    chw[i] = px[3 * i] / 255;
    chw[plane + i] = px[3 * i + 1] / 255;
    chw[2 * plane + i] = px[3 * i + 2] / 255;
  }
  return { chw, geometry: square.geometry, header };
}
