// A CSV reader that fills columns directly (RFC 4180: quoted fields, "" escapes, CRLF or LF, BOM).
// Written for manifests of hundreds of thousands of rows, where a general record parser spends most of
// its time building per-row objects. Cells are trimmed; empty cells are null.

export class CsvError extends Error {
  constructor(message: string, readonly line: number) {
    super(message);
  }
}

export function parseCsvColumns(text: string, delimiter = ","): { header: string[]; columns: (string | null)[][]; rows: number } {
  if (delimiter.length !== 1) throw new CsvError(`the delimiter must be one character (got ${JSON.stringify(delimiter)})`, 0);
  const D = delimiter.charCodeAt(0), Q = 34, LF = 10, CR = 13;
  const len = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let header: string[] | null = null;
  let columns: (string | null)[][] = [];
  let rows = 0;
  let record: string[] = [];
  while (i <= len) {
    // one field
    let value: string;
    let c = i < len ? text.charCodeAt(i) : LF;
    if (c === Q) {
      const startLine = line;
      let out = "";
      let from = ++i;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new CsvError(`line ${startLine}: a quoted field is never closed`, startLine);
        for (let k = i; k < q; k++) if (text.charCodeAt(k) === LF) line++;
        if (text.charCodeAt(q + 1) === Q) {
          out += text.slice(from, q + 1);
          i = from = q + 2;
          continue;
        }
        out += text.slice(from, q);
        i = q + 1;
        break;
      }
      // allow spaces between the closing quote and the delimiter
      while (i < len && text.charCodeAt(i) === 32) i++;
      c = i < len ? text.charCodeAt(i) : LF;
      if (c !== D && c !== LF && c !== CR) throw new CsvError(`line ${line}: unexpected text after a closing quote`, line);
      value = out;
    } else {
      const start = i;
      while (c !== D && c !== LF && c !== CR) c = ++i < len ? text.charCodeAt(i) : LF;
      value = text.slice(start, i);
    }
    record.push(value);
    if (c === D) {
      i++;
      continue;
    }
    // end of record
    if (c === CR && text.charCodeAt(i + 1) === LF) i++;
    i++;
    const blank = record.length === 1 && record[0].trim() === "";
    if (!blank) {
      if (!header) {
        header = record.map((h) => h.trim());
        columns = header.map(() => []);
      } else {
        if (record.length !== header.length)
          throw new CsvError(`line ${line}: ${record.length} fields, but the header has ${header.length}`, line);
        for (let k = 0; k < record.length; k++) {
          const v = record[k];
          const t = v.length && (v.charCodeAt(0) === 32 || v.charCodeAt(v.length - 1) === 32 || v.charCodeAt(0) === 9) ? v.trim() : v;
          columns[k].push(t === "" ? null : t);
        }
        rows++;
      }
    }
    record = [];
    line++;
  }
  return { header: header ?? [], columns, rows };
}
