import type { ConfusionMatrix } from "../lib/confusion.ts";

/** The multiclass confusion matrix as a heatmap: rows are true classes, columns predictions; a cell's shade is its row share. */
export function ConfusionHeatmap({ matrix, title = "Confusion matrix" }: { matrix: ConfusionMatrix; title?: string }) {
  return (
    <div className="table-scroll" data-testid="confusion-heatmap">
      <table className="data-table compact confusion">
        <caption className="small">{title} (rows: true class, columns: predicted; shade: share of the row)</caption>
        <thead>
          <tr>
            <th scope="col">true \ predicted</th>
            {matrix.classes.map((c) => <th key={c} scope="col" className="mono">{c}</th>)}
            <th scope="col" className="num">n</th>
          </tr>
        </thead>
        <tbody>
          {matrix.classes.map((t, i) => (
            <tr key={t}>
              <th scope="row" className="mono">{t}</th>
              {matrix.counts[i].map((count, j) => (
                <td key={j} className={`mono num${i === j ? " diagonal" : ""}`} data-testid="confusion-cell" data-true={t} data-pred={matrix.classes[j]}
                  title={`${t} predicted as ${matrix.classes[j]}: ${count} (${(100 * matrix.shares[i][j]).toFixed(1)}% of ${t})`}
                  style={{ background: `color-mix(in srgb, var(--accent) ${Math.round(85 * matrix.shares[i][j])}%, transparent)` }}>
                  {count}
                </td>
              ))}
              <td className="mono num muted">{matrix.rowTotals[i]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
