// The validation report of an import: rows, images found / missing / unreadable, duplicates, groups,
// diagnoses, metadata missing rates, and every group a manifest's split leaks.
import type { RouterOutputs } from "../../lib/trpc.ts";
import "./datasets.css";

export type ImportReportData = RouterOutputs["datasets"]["get"]["report"];

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function More({ total, shown }: { total: number | undefined; shown: number }) {
  return total && total > shown ? <li className="muted">… {total - shown} more (trainyard dataset show NAME --json)</li> : null;
}

export function ImportReport({ report: r }: { report: ImportReportData }) {
  const t = r.truncated ?? {};
  const missing = t.missingImages ?? r.missingImages.length;
  const unreadable = t.unreadableImages ?? r.unreadableImages.length;
  return (
    <div className="import-report" data-testid="import-report">
      <dl className="ds-facts">
        <div><dt>rows</dt><dd data-testid="report-rows">{r.rows}</dd></div>
        <div><dt>images</dt><dd data-testid="report-images">{r.images}</dd></div>
        <div><dt>usable</dt><dd>{r.usableImages}</dd></div>
        <div><dt>found</dt><dd>{r.imagesFound}</dd></div>
        <div><dt>missing</dt><dd data-testid="report-missing">{missing}</dd></div>
        <div><dt>unreadable</dt><dd data-testid="report-unreadable">{unreadable}</dd></div>
        <div><dt>groups ({r.columns.group})</dt><dd data-testid="report-groups">{r.groups}</dd></div>
        <div><dt>images per group</dt><dd>{r.imagesPerGroup.min}–{r.imagesPerGroup.max} (mean {r.imagesPerGroup.mean.toFixed(2)})</dd></div>
        <div><dt>duplicate image ids</dt><dd>{t.duplicateImageIds ?? r.duplicateImageIds.length}</dd></div>
        <div><dt>metadata dimension</dt><dd>{r.encodedDim}</dd></div>
      </dl>
      {missing > 0 && (
        <details>
          <summary>{missing} missing images</summary>
          <ul className="ds-list">{r.missingImages.map((p) => <li key={p}>{p}</li>)}<More total={t.missingImages} shown={r.missingImages.length} /></ul>
        </details>
      )}
      {unreadable > 0 && (
        <details open>
          <summary>{unreadable} unreadable images (left out of every run)</summary>
          <ul className="ds-list">{r.unreadableImages.map((u) => <li key={u.path}>{u.path}: {u.error}</li>)}<More total={t.unreadableImages} shown={r.unreadableImages.length} /></ul>
        </details>
      )}
      {r.split && (
        <div className={r.split.crossingGroups.length ? "ds-leak" : undefined} data-testid="report-split">
          <h3>Split column “{r.split.column}”</h3>
          <p>{Object.entries(r.split.counts).map(([k, v]) => `${k} ${v}`).join(" · ")}{r.split.unknownValues.length ? ` · not a split name: ${r.split.unknownValues.join(", ")}` : ""}</p>
          {r.split.crossingGroups.length ? (
            <>
              <p className="text-error" data-testid="report-leak">{t["split.crossingGroups"] ?? r.split.crossingGroups.length} groups ({r.split.crossingImages} images) appear in more than one split:</p>
              <ul className="ds-list">{r.split.crossingGroups.map((g) => <li key={g.group}>{g.group}: {g.splits.join(" + ")} ({g.images} images)</li>)}</ul>
            </>
          ) : (
            <p className="text-ok">No group appears in more than one split.</p>
          )}
        </div>
      )}
      <div className="ds-grid">
        <section>
          <h3>Diagnoses ({Object.keys(r.diagnoses).length}; {r.unlabeledImages} images unlabeled)</h3>
          <table className="ds-table" data-testid="report-diagnoses">
            <thead><tr><th scope="col">diagnosis</th><th scope="col" className="num">images</th></tr></thead>
            <tbody>{Object.entries(r.diagnoses).slice(0, 200).map(([k, v]) => <tr key={k}><td>{k}</td><td className="num">{v}</td></tr>)}</tbody>
          </table>
        </section>
        <section>
          <h3>Metadata</h3>
          <table className="ds-table">
            <thead><tr><th scope="col">column</th><th scope="col">kind</th><th scope="col" className="num">missing</th><th scope="col" className="num">distinct</th></tr></thead>
            <tbody>
              {r.metadata.map((m) => (
                <tr key={m.name}><td>{m.name}</td><td title={m.skipped ?? undefined}>{m.kind ?? `skipped (${m.skipped})`}</td><td className="num">{pct(m.missingRate)}</td><td className="num">{m.distinct}</td></tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
    </div>
  );
}
