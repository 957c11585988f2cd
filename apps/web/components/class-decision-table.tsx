import { decisionRows } from "../lib/class-decisions.ts";
import { formatMetric } from "../lib/run-progress.ts";

/** Per class AUC, AP, and precision / recall at the decision threshold, for one split's `<prefix>/...` keys. */
export function ClassDecisionTable({ values, prefix, classes, caption }: { values: Readonly<Record<string, number | null>>; prefix: string; classes?: readonly string[]; caption: string }) {
  const { rows, columns } = decisionRows(values, prefix, classes);
  if (!rows.length) return null;
  return (
    <div className="table-scroll">
      <table className="data-table compact" data-testid="class-decision-table" data-split={prefix}>
        <caption className="small">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Class</th>
            {columns.map((c) => <th key={c.key} scope="col" className="num">{c.title}</th>)}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.cls} data-testid="class-decision-row" data-class={r.cls}>
              <th scope="row" className="mono">{r.cls}</th>
              {columns.map((c) => <td key={c.key} className="mono num" data-key={c.key}>{r.values[c.key] == null ? "—" : formatMetric(r.values[c.key]!)}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
