"use client";

import { useEffect, useRef } from "react";
import { logTimeMs, type LogEntry } from "../lib/log-tail.ts";

/** The newest log lines; stays scrolled to the bottom unless the reader scrolled up. */
export function LogTail({ lines }: { lines: readonly LogEntry[] }) {
  const box = useRef<HTMLOListElement>(null);
  const pinned = useRef(true);

  useEffect(() => {
    const el = box.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [lines]);

  if (!lines.length) return <p className="muted small">No log lines yet.</p>;
  return (
    <ol
      className="log-tail"
      ref={box}
      data-testid="log-tail"
      tabIndex={0}
      aria-label="Log tail"
      onScroll={(e) => {
        const el = e.currentTarget;
        pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
      }}
    >
      {lines.map((l, i) => (
        <li key={l.id ?? `i${i}`} className={`log-line log-${l.level}`}>
          <time className="muted">{new Date(logTimeMs(l.time)).toLocaleTimeString(undefined, { hour12: false })}</time>
          <span className="log-level">{l.level}</span>
          <span className="log-message">{l.message}</span>
        </li>
      ))}
    </ol>
  );
}
