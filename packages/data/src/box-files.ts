// Reading a boxes file into one list of raw boxes, whatever its format: rows of a CSV / TSV / Parquet
// table (image, x_min, y_min, x_max, y_max, label; several rows per image), a COCO JSON file (images,
// annotations with bbox [x, y, w, h], categories), or a folder of YOLO .txt files (one per image,
// `class cx cy w h` normalised to [0, 1], class names from a names file).
//
// Nothing here knows the manifest or the images: each box keeps the image name as the file wrote it, its
// four numbers as written, and where it came from (file and row, annotation id, or file:line), so that
// matching and checking (dataset-boxes.ts) can name it. What makes the whole file unusable (a missing
// column, duplicate COCO ids, an empty names file) is a BoxFileError naming the file and the field.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, extname, join, relative, sep } from "node:path";
import { ManifestError, readManifestColumns } from "./manifest-read.ts";

export type BoxFormat = "csv" | "coco" | "yolo";
export const BOX_FORMATS: readonly BoxFormat[] = ["csv", "coco", "yolo"];

/** Where the boxes are and how to read them (ImportRequest.boxes). */
export interface BoxSourceOptions {
  path: string;
  /** Follows from the file when absent: a folder is YOLO, .json is COCO, anything else a table. */
  format?: BoxFormat;
  /** Table column naming the image (default: image, image_id, file_name, ...). */
  imageCol?: string;
  /** Table columns of x_min, y_min, x_max, y_max (default those names, or xmin/ymin/xmax/ymax). */
  coords?: [string, string, string, string];
  /** Table column of the class (default: label, class, category, dx, ...). */
  labelCol?: string;
  /** YOLO class names: one per line, or a data.yaml with `names:` (default: classes.txt or data.yaml in the folder). */
  names?: string;
  /** CSV field delimiter (default "," and tab for .tsv). */
  delimiter?: string;
}

export class BoxFileError extends Error {}

/** The four numbers as the format writes them. */
export type BoxEncoding = "xyxy" | "coco-xywh" | "yolo-cxcywh";

export interface RawBox {
  /** The image as the file names it: a path, a file name or a stem. Empty when the file gives none. */
  image: string;
  /** As written (NaN where a value is not a number): x0 y0 x1 y1, x y w h (COCO), cx cy w h (YOLO, normalised). */
  values: [number, number, number, number];
  /** The four values' text as written, for messages. */
  text: [string, string, string, string];
  /** The class name; null when the box names no known class (see `classProblem`). */
  label: string | null;
  classProblem?: string;
  /** A row that is not a box at all (wrong number of fields, a bbox that is not four numbers). */
  malformed?: string;
  /** Why the box names no image (an empty cell, a COCO image_id not among the file's images). */
  imageProblem?: string;
  /** "boxes.csv row 12", "boxes.json annotation id 7", "labels/a.txt:3". */
  source: string;
  /** COCO's width and height of the image, when it gives them. */
  declaredSize?: [number, number];
}

export interface BoxFile {
  format: BoxFormat;
  path: string;
  encoding: BoxEncoding;
  boxes: RawBox[];
  /** Classes the file declares (COCO categories, YOLO names) or, for tables, the ones its rows use. */
  classes: string[];
  /** Images the file lists (COCO images, YOLO .txt files), with or without boxes; null for tables. */
  listedImages: string[] | null;
  /** Table columns used (tables only). */
  columns: { image: string; coords: [string, string, string, string]; label: string } | null;
  /** The names file read (YOLO only). */
  namesFile: string | null;
}

const IMAGE_GUESSES = ["image", "image_id", "file_name", "filename", "image_path", "path", "file", "Image Index"];
const LABEL_GUESSES = ["label", "class", "class_name", "category", "category_name", "name", "dx", "diagnosis", "finding"];
const COORD_GUESSES: [string, string, string, string][] = [
  ["x_min", "y_min", "x_max", "y_max"],
  ["xmin", "ymin", "xmax", "ymax"],
  ["x0", "y0", "x1", "y1"],
  ["left", "top", "right", "bottom"],
];

/** The format a path is in: --box-format when given, else a folder is YOLO, JSON is COCO, the rest tables. */
export function detectBoxFormat(path: string, format?: BoxFormat): BoxFormat {
  if (!existsSync(path)) throw new BoxFileError(`boxes path ${path} does not exist; check --boxes`);
  const isDir = statSync(path).isDirectory();
  if (format) {
    if (!BOX_FORMATS.includes(format)) throw new BoxFileError(`--box-format must be csv, coco or yolo (got "${format}")`);
    if (format === "yolo" && !isDir) throw new BoxFileError(`--box-format yolo needs a folder of .txt files (one per image), but ${path} is a file`);
    if (format !== "yolo" && isDir) throw new BoxFileError(`--box-format ${format} needs a file, but ${path} is a folder (a folder of .txt files is --box-format yolo)`);
    return format;
  }
  if (isDir) return "yolo";
  if (/\.json$/i.test(path)) return "coco";
  if (/\.(csv|tsv|txt|parquet|pq)$/i.test(path)) return "csv";
  // no telling extension: a JSON object is COCO, anything else is read as a table
  const head = readFileSync(path, { encoding: "utf8", flag: "r" }).slice(0, 64).trimStart();
  return head.startsWith("{") ? "coco" : "csv";
}

export async function readBoxFile(opts: BoxSourceOptions): Promise<BoxFile> {
  const format = detectBoxFormat(opts.path, opts.format);
  if (format === "coco") return readCoco(opts.path);
  if (format === "yolo") return readYolo(opts.path, opts.names);
  return readTable(opts);
}

const num = (s: string | null | undefined): number => (s === null || s === undefined || s.trim() === "" ? NaN : Number(s));
const cleanName = (s: string) => {
  const t = s.trim();
  return /^[\x00-\x7f]*$/.test(t) ? t : t.normalize("NFC");
};

function pickColumn(file: string, header: string[], wanted: string | undefined, guesses: string[], what: string, flag: string): string {
  if (wanted) {
    if (!header.includes(wanted)) throw new BoxFileError(`${file}: the ${what} column "${wanted}" (${flag}) is not in the boxes file; columns: ${header.join(", ")}`);
    return wanted;
  }
  const hit = guesses.find((g) => header.includes(g)) ?? guesses.map((g) => header.find((h) => h.toLowerCase() === g.toLowerCase())).find(Boolean);
  if (!hit) throw new BoxFileError(`${file}: cannot tell which column holds the ${what}; pass ${flag} (columns: ${header.join(", ")})`);
  return hit;
}

async function readTable(opts: BoxSourceOptions): Promise<BoxFile> {
  const file = opts.path;
  let m;
  try {
    m = await readManifestColumns(file, { delimiter: opts.delimiter, what: { noun: "boxes file", flag: "--boxes" } });
  } catch (e) {
    if (e instanceof ManifestError) throw new BoxFileError(e.message);
    throw e;
  }
  const image = pickColumn(file, m.header, opts.imageCol, IMAGE_GUESSES, "image", "--box-image-col");
  let coords: [string, string, string, string];
  if (opts.coords) {
    if (opts.coords.length !== 4) throw new BoxFileError(`--box-coords takes four columns, x_min,y_min,x_max,y_max (got ${opts.coords.length})`);
    const missing = opts.coords.filter((c) => !m.header.includes(c));
    if (missing.length) throw new BoxFileError(`${file}: coordinate column${missing.length > 1 ? "s" : ""} ${missing.map((c) => `"${c}"`).join(", ")} (--box-coords) not in the boxes file; columns: ${m.header.join(", ")}`);
    coords = opts.coords;
  } else {
    const lower = m.header.map((h) => h.toLowerCase());
    const found = COORD_GUESSES.find((g) => g.every((c) => lower.includes(c)));
    if (!found) throw new BoxFileError(`${file}: no x_min, y_min, x_max, y_max columns; name the coordinate columns with --box-coords X_MIN,Y_MIN,X_MAX,Y_MAX (columns: ${m.header.join(", ")})`);
    coords = found.map((c) => m.header[lower.indexOf(c)]) as [string, string, string, string];
  }
  const label = pickColumn(file, m.header, opts.labelCol, LABEL_GUESSES, "class", "--box-label-col");
  const col = (name: string) => m.columns[m.header.indexOf(name)];
  const images = col(image), labels = col(label), cs = coords.map(col);
  const name = basename(file);
  const boxes: RawBox[] = [];
  const classes = new Set<string>();
  // a CSV row's number is its line with the header as row 1 (as the manifest's messages count); Parquet rows from 1
  const rowNo = (r: number) => (m.format === "csv" ? r + 2 : r + 1);
  for (let r = 0; r < m.rows; r++) {
    const cell = labels[r];
    const lab = cell ? cleanName(cell) : "";
    if (lab) classes.add(lab);
    const text = cs.map((c) => c[r] ?? "") as [string, string, string, string];
    boxes.push({
      image: images[r] ?? "",
      values: text.map(num) as [number, number, number, number],
      text,
      label: lab || null,
      ...(lab ? {} : { classProblem: `the class cell (column "${label}") is empty` }),
      ...(images[r] ? {} : { imageProblem: `the image cell (column "${image}") is empty` }),
      source: `${name} row ${rowNo(r)}`,
    });
  }
  return { format: "csv", path: file, encoding: "xyxy", boxes, classes: [...classes].sort(), listedImages: null, columns: { image, coords, label }, namesFile: null };
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const idKey = (v: unknown) => (typeof v === "number" || typeof v === "string" ? `${typeof v}:${v}` : null);

function readCoco(file: string): BoxFile {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new BoxFileError(`${file}: not valid JSON (${(e as Error).message}); a COCO file is one JSON object with images, annotations and categories`);
  }
  if (!isObject(doc)) throw new BoxFileError(`${file}: a COCO file is one JSON object with images, annotations and categories`);
  for (const field of ["images", "annotations", "categories"])
    if (!Array.isArray(doc[field])) throw new BoxFileError(`${file}: "${field}" ${field in doc ? "is not a list" : "is missing"}; a COCO file needs images, annotations and categories lists`);
  const name = basename(file);
  const list = (field: string) => doc[field] as unknown[];

  // categories: unique ids, a name each
  const categories = new Map<string, string>();
  const catAt = new Map<string, number>();
  list("categories").forEach((c, i) => {
    if (!isObject(c) || idKey(c.id) === null) throw new BoxFileError(`${file}: categories[${i}] has no id; every category needs an id and a name`);
    if (typeof c.name !== "string" || !c.name.trim()) throw new BoxFileError(`${file}: categories[${i}] (id ${c.id}) has no name; every category needs a name`);
    const k = idKey(c.id)!;
    if (catAt.has(k)) throw new BoxFileError(`${file}: category id ${c.id} appears twice (categories[${catAt.get(k)}] and categories[${i}]); ids must be unique: give one of them another id`);
    catAt.set(k, i);
    categories.set(k, cleanName(c.name));
  });
  const dupNames = [...categories.values()].filter((n, i, all) => all.indexOf(n) !== i);
  if (dupNames.length) throw new BoxFileError(`${file}: category name "${dupNames[0]}" belongs to more than one category id; merge them or rename one`);

  // images: unique ids, a file name each
  const images = new Map<string, { fileName: string; size?: [number, number] }>();
  const imageAt = new Map<string, number>();
  list("images").forEach((im, i) => {
    if (!isObject(im) || idKey(im.id) === null) throw new BoxFileError(`${file}: images[${i}] has no id; every image needs an id and a file_name`);
    if (typeof im.file_name !== "string" || !im.file_name.trim()) throw new BoxFileError(`${file}: images[${i}] (id ${im.id}) has no file_name`);
    const k = idKey(im.id)!;
    if (imageAt.has(k)) throw new BoxFileError(`${file}: image id ${im.id} appears twice (images[${imageAt.get(k)}] and images[${i}]); ids must be unique: give one of them another id`);
    imageAt.set(k, i);
    const w = Number(im.width), h = Number(im.height);
    images.set(k, { fileName: im.file_name, ...(w > 0 && h > 0 ? { size: [w, h] as [number, number] } : {}) });
  });

  // annotations: unique ids; every category_id a known category (else the categories list is broken)
  const annAt = new Map<string, number>();
  const missingCats = new Map<string, number[]>();
  list("annotations").forEach((a, i) => {
    if (!isObject(a)) throw new BoxFileError(`${file}: annotations[${i}] is not an object`);
    const k = idKey(a.id);
    if (k === null) throw new BoxFileError(`${file}: annotations[${i}] has no id; every annotation needs an id`);
    if (annAt.has(k)) throw new BoxFileError(`${file}: annotation id ${a.id} appears twice (annotations[${annAt.get(k)}] and annotations[${i}]); ids must be unique: give one of them another id`);
    annAt.set(k, i);
    const ck = idKey(a.category_id);
    if (ck === null || !categories.has(ck)) {
      const key = String(a.category_id);
      missingCats.set(key, [...(missingCats.get(key) ?? []), a.id as number]);
    }
  });
  if (missingCats.size) {
    const parts = [...missingCats].slice(0, 5).map(([c, ids]) => `category_id ${c} (annotation id${ids.length > 1 ? "s" : ""} ${ids.slice(0, 5).join(", ")}${ids.length > 5 ? ", ..." : ""})`);
    throw new BoxFileError(
      `${file}: annotations point to categories that are not in "categories": ${parts.join("; ")}${missingCats.size > 5 ? ` and ${missingCats.size - 5} more` : ""}; add those categories (id and name) or remove the annotations`,
    );
  }

  const boxes: RawBox[] = (list("annotations") as Json[]).map((a) => {
    const source = `${name} annotation id ${a.id}`;
    const image = images.get(idKey(a.image_id) ?? "");
    const bbox = a.bbox;
    const four = Array.isArray(bbox) && bbox.length === 4;
    const text = (four ? bbox.map((v) => String(v)) : ["", "", "", ""]) as [string, string, string, string];
    const values = (four ? bbox.map((v) => (typeof v === "number" ? v : typeof v === "string" ? num(v) : NaN)) : [NaN, NaN, NaN, NaN]) as [number, number, number, number];
    return {
      image: image?.fileName ?? "",
      values,
      text,
      label: categories.get(idKey(a.category_id)!)!,
      source,
      ...(image ? {} : { imageProblem: `image_id ${JSON.stringify(a.image_id)} is not among the file's images` }),
      ...(four ? {} : { malformed: `bbox is ${JSON.stringify(bbox) ?? "missing"}, not [x, y, width, height]` }),
      ...(image?.size ? { declaredSize: image.size } : {}),
    };
  });
  return {
    format: "coco", path: file, encoding: "coco-xywh", boxes, classes: [...new Set(categories.values())].sort(),
    listedImages: [...images.values()].map((i) => i.fileName), columns: null, namesFile: null,
  };
}

/** YOLO class names: a text file (one name per line) or a data.yaml (`names:` as a list or an index mapping). */
export function readYoloNames(file: string): string[] {
  if (!existsSync(file) || !statSync(file).isFile()) throw new BoxFileError(`names file ${file} does not exist; check --box-names`);
  const text = readFileSync(file, "utf8").replace(/^\ufeff/, "");
  const names = /\.ya?ml$/i.test(file) ? parseYamlNames(file, text) : parseNameLines(file, text);
  if (!names.length) throw new BoxFileError(`names file ${file} is empty; write one class name per line (line 1 is class 0), or a data.yaml with a names: list`);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new BoxFileError(`names file ${file}: class name "${dup}" appears twice (classes ${names.indexOf(dup)} and ${names.lastIndexOf(dup)}); every class needs its own name`);
  return names;
}

function parseNameLines(file: string, text: string): string[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  while (lines.length && !lines.at(-1)) lines.pop();
  // a blank line in the middle would shift every later class index by one
  const blank = lines.findIndex((l) => !l);
  if (blank >= 0) throw new BoxFileError(`names file ${file}: line ${blank + 1} is blank; line k names class k-1, so remove the blank line or name the class`);
  return lines.map(cleanName);
}

const unquote = (s: string) => {
  const t = s.trim().replace(/\s+#.*$/, "");
  return /^(['"]).*\1$/.test(t) ? t.slice(1, -1) : t;
};

/**
 * The `names:` entry of a YOLO data.yaml, in the three shapes YOLO tools write: a flow list
 * (`names: [a, b]`), a block list (`- a`) or an index mapping (`0: a`). Only this key is read.
 */
function parseYamlNames(file: string, text: string): string[] {
  const lines = text.split(/\r?\n/);
  const at = lines.findIndex((l) => /^names\s*:/.test(l));
  if (at < 0) throw new BoxFileError(`names file ${file}: no top-level "names:" key; a YOLO data.yaml lists its classes under names:`);
  const rest = lines[at].replace(/^names\s*:/, "").trim();
  if (rest.startsWith("[")) {
    let flow = rest;
    for (let i = at + 1; !flow.includes("]") && i < lines.length; i++) flow += " " + lines[i].trim();
    const inner = flow.slice(1, flow.indexOf("]"));
    if (!flow.includes("]")) throw new BoxFileError(`names file ${file}: the names: [ ... ] list is never closed`);
    return inner.split(",").map(unquote).filter((s) => s !== "").map(cleanName);
  }
  if (rest.startsWith("{")) {
    const inner = rest.slice(1, rest.indexOf("}"));
    return indexMapping(file, inner.split(",").filter((p) => p.trim()).map((p) => p.split(":")));
  }
  if (rest && !rest.startsWith("#")) throw new BoxFileError(`names file ${file}: names: must be a list or an index mapping (got "${rest}")`);
  const items: string[] = [];
  for (let i = at + 1; i < lines.length; i++) {
    const l = lines[i];
    if (!l.trim() || l.trim().startsWith("#")) continue;
    if (!/^\s/.test(l)) break; // the next top-level key
    items.push(l.trim());
  }
  if (items.every((l) => l.startsWith("-"))) return items.map((l) => cleanName(unquote(l.slice(1))));
  return indexMapping(file, items.map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1)]));
}

function indexMapping(file: string, pairs: string[][]): string[] {
  const out: string[] = [];
  for (const [k, v] of pairs) {
    const i = Number(unquote(k ?? ""));
    if (!Number.isInteger(i) || i < 0 || v === undefined) throw new BoxFileError(`names file ${file}: "${(k ?? "").trim()}: ${(v ?? "").trim()}" is not "index: name"`);
    if (out[i] !== undefined) throw new BoxFileError(`names file ${file}: class ${i} is named twice`);
    out[i] = cleanName(unquote(v));
  }
  const hole = Array.from(out, (v) => v).findIndex((v) => v === undefined);
  if (hole >= 0) throw new BoxFileError(`names file ${file}: class ${hole} has no name; the indices must run 0, 1, 2, ... without gaps`);
  return out;
}

const NAMES_CANDIDATES = ["classes.txt", "data.yaml", "data.yml", "obj.names"];

function listTxt(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listTxt(p));
    else if (e.isFile() && extname(e.name).toLowerCase() === ".txt") out.push(p);
  }
  return out;
}

function readYolo(dir: string, namesOpt: string | undefined): BoxFile {
  const namesFile = namesOpt ?? [dir, dirname(dir)].flatMap((d) => NAMES_CANDIDATES.map((n) => join(d, n))).find((f) => existsSync(f));
  if (!namesFile) throw new BoxFileError(`${dir}: no class names for the YOLO labels; pass --box-names F (one name per line, or a data.yaml with names:), or put a classes.txt in the folder`);
  const names = readYoloNames(namesFile);
  const files = listTxt(dir).filter((f) => f !== namesFile).sort();
  if (!files.length) throw new BoxFileError(`${dir}: no .txt label files in the folder; YOLO labels are one .txt per image (rows: class cx cy w h)`);
  const boxes: RawBox[] = [];
  const listed: string[] = [];
  for (const f of files) {
    const rel = relative(dir, f).split(sep).join("/");
    const image = rel.replace(/\.txt$/i, "");
    listed.push(image);
    const lines = readFileSync(f, "utf8").split(/\r?\n/);
    lines.forEach((line, i) => {
      const t = line.trim();
      if (!t || t.startsWith("#")) return;
      const fields = t.split(/\s+/);
      const source = `${rel}:${i + 1}`;
      const text = [fields[1] ?? "", fields[2] ?? "", fields[3] ?? "", fields[4] ?? ""] as [string, string, string, string];
      const values = text.map(num) as [number, number, number, number];
      const box: RawBox = { image, values, text, label: null, source };
      if (fields.length !== 5) box.malformed = `${fields.length} fields; a YOLO box row is "class cx cy w h" (segmentation polygons are not boxes)`;
      const cls = Number(fields[0]);
      if (!Number.isInteger(cls) || cls < 0) box.classProblem = `class "${fields[0]}" is not a class index (0, 1, 2, ...)`;
      else if (cls >= names.length) box.classProblem = `class index ${cls} is beyond the ${names.length} names in ${basename(namesFile)} (0-${names.length - 1})`;
      else box.label = names[cls];
      boxes.push(box);
    });
  }
  return { format: "yolo", path: dir, encoding: "yolo-cxcywh", boxes, classes: [...new Set(names)].sort(), listedImages: listed, columns: null, namesFile };
}
