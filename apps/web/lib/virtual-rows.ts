// Which rows of a long fixed-height list to render, and which server pages hold them. Pure; no React.

export interface VisibleRows {
  first: number;
  /** Exclusive. */
  last: number;
  /** Pixel offset of the first rendered row. */
  offset: number;
}

/** Rows in view plus `overscan` on each side, clamped to [0, total). */
export function visibleRows(scrollTop: number, viewport: number, rowHeight: number, total: number, overscan = 8): VisibleRows {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(total, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  return { first, last: Math.max(first, last), offset: first * rowHeight };
}

/** Page numbers (of `pageSize` rows) that cover rows [first, last). */
export function pagesFor(first: number, last: number, pageSize: number): number[] {
  if (last <= first) return [0];
  const out: number[] = [];
  for (let p = Math.floor(first / pageSize); p <= Math.floor((last - 1) / pageSize); p++) out.push(p);
  return out;
}
