"use client";
// Search a dataset's diagnoses (with their image counts) and tick the ones to train on.
import { useId, useState } from "react";
import "./datasets.css";

interface Props {
  diagnoses: Record<string, number>;
  selected: string[];
  onChange: (next: string[]) => void;
}

const fold = (s: string) => s.normalize("NFD").replace(/\p{M}/gu, "").toLocaleLowerCase();

export function DiagnosisPicker({ diagnoses, selected, onChange }: Props) {
  const searchId = useId();
  const [query, setQuery] = useState("");
  const q = fold(query.trim());
  const entries = Object.entries(diagnoses).filter(([k]) => !q || fold(k).includes(q));
  const toggle = (d: string) => onChange(selected.includes(d) ? selected.filter((x) => x !== d) : [...selected, d]);
  return (
    <div>
      <label htmlFor={searchId} className="small muted">Search {Object.keys(diagnoses).length} diagnoses</label>
      <input id={searchId} type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="e.g. melanoma" style={{ width: "100%" }} />
      <p className="small muted">{selected.length} selected{selected.length ? `: ${selected.join(", ")}` : ""} {selected.length > 0 && <button type="button" className="link-button" onClick={() => onChange([])}>clear</button>}</p>
      <ul className="ds-diagnoses" aria-label="diagnoses">
        {entries.slice(0, 500).map(([d, n]) => (
          <li key={d}>
            <label><input type="checkbox" checked={selected.includes(d)} onChange={() => toggle(d)} /> {d}</label>
            <span className="muted num">{n}</span>
          </li>
        ))}
        {entries.length > 500 && <li className="muted">… {entries.length - 500} more: narrow the search</li>}
        {!entries.length && <li className="muted">No diagnosis matches “{query}”.</li>}
      </ul>
    </div>
  );
}
