// What an image's first bytes say without decoding it: format, stored size and EXIF orientation (JPEG
// SOF / APP1 segments, PNG IHDR). About 2 µs an image; the decode plan (image-decode.ts) is chosen from it.
/** What the first bytes of an image say about it, read without decoding it. */
export interface ImageHeader {
  format: "jpeg" | "png";
  /** As stored, before any EXIF orientation. */
  width: number;
  height: number;
  /** EXIF orientation 1-8 (1 without EXIF); 0 where it could not be read, and for PNG (sharp looks). */
  orientation: number;
}

/** JPEG (SOF and APP1 segments up to the first scan) or PNG (IHDR); null for anything else. */
export function readImageHeader(bytes: Uint8Array): ImageHeader | null {
  const u16 = (i: number) => (bytes[i] << 8) | bytes[i + 1];
  if (bytes.length >= 24 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47 && String.fromCharCode(...bytes.subarray(12, 16)) === "IHDR") {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return { format: "png", width: view.getUint32(16), height: view.getUint32(20), orientation: 0 };
  }
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  let width = 0, height = 0, orientation = 1;
  let i = 2;
  while (i + 4 <= bytes.length && bytes[i] === 0xff) {
    const marker = bytes[i + 1];
    if (marker === 0xff) { i++; continue; } // fill byte
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) { i += 2; continue; } // no length field
    if (marker === 0xda || marker === 0xd9) break; // start of scan: the header segments are behind us
    const length = u16(i + 2);
    const body = i + 4;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (body + 5 > bytes.length) return null;
      height = u16(body + 1);
      width = u16(body + 3);
    } else if (marker === 0xe1 && orientation === 1 && String.fromCharCode(...bytes.subarray(body, body + 6)) === "Exif\0\0") {
      orientation = exifOrientation(bytes.subarray(body + 6, Math.min(bytes.length, i + 2 + length)));
    }
    i += 2 + length;
  }
  return width && height ? { format: "jpeg", width, height, orientation } : null;
}

/** Tag 0x0112 of IFD0 in a TIFF-structured EXIF block: 1 if absent, 0 if the block cannot be read. */
function exifOrientation(tiff: Uint8Array): number {
  if (tiff.length < 8) return 0;
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const little = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (!little && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return 0;
  const ifd = view.getUint32(4, little);
  if (ifd + 2 > tiff.length) return 0;
  const entries = view.getUint16(ifd, little);
  for (let e = 0; e < entries; e++) {
    const at = ifd + 2 + 12 * e;
    if (at + 12 > tiff.length) return 0;
    if (view.getUint16(at, little) === 0x0112) {
      const value = view.getUint16(at + 8, little);
      return value >= 1 && value <= 8 ? value : 0;
    }
  }
  return 1;
}

/**
 * The image's size as displayed (EXIF orientations 5-8 turn it a quarter: width and height swap), or
 * null where the bytes do not say: a JPEG whose orientation could not be read, a PNG with an eXIf chunk
 * (sharp may turn it), anything else. Then sharp's metadata (its autoOrient size) must be asked.
 */
export function displayedSize(header: ImageHeader | null, bytes: Uint8Array): [number, number] | null {
  if (!header) return null;
  if (header.format === "png") return pngHasExif(bytes) === false ? [header.width, header.height] : null;
  if (header.orientation === 0) return null;
  return header.orientation >= 5 ? [header.height, header.width] : [header.width, header.height];
}

/** Whether a PNG has an eXIf chunk before its first IDAT; null when the bytes end before that. */
function pngHasExif(bytes: Uint8Array): boolean | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let i = 8;
  while (i + 8 <= bytes.length) {
    const type = String.fromCharCode(bytes[i + 4], bytes[i + 5], bytes[i + 6], bytes[i + 7]);
    if (type === "eXIf") return true;
    if (type === "IDAT" || type === "IEND") return false;
    i += 12 + view.getUint32(i);
  }
  return null;
}
