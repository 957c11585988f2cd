// The validation report of an import: rows, images found / missing / unreadable, duplicates, groups,
// diagnoses, metadata missing rates, every group a manifest's split leaks, for a dataset with boxes
// the boxes per class, "no findings" images, box sizes and every rejected box, and for a dataset with
// follow-up (risk) the follow-up distribution, events and censoring by year and the views cases have.
import type { SurvivalSummary } from "../../lib/survival-summary.ts";
import type { RouterOutputs } from "../../lib/trpc.ts";
import { SurvivalReport } from "./survival-report.tsx";
import "./datasets.css";

export type ImportReportData = RouterOutputs["datasets"]["get"]["report"];

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

type BoxesData = NonNullable<ImportReportData["boxes"]>;
type Quantiles = NonNullable<BoxesData["size"]>["width"];
const QUANTILES = [["min", "min"], ["p05", "p5"], ["p25", "p25"], ["median", "median"], ["p75", "p75"], ["p95", "p95"], ["max", "max"]] as const;

function More({ total, shown }: { total: number | undefined; shown: number }) {
  return total && total > shown ? <li className="muted">… {total - shown} more (trainyard dataset show NAME --json)</li> : null;
}

export function ImportReport({ report: r }: { report: ImportReportData }) {
  const t = r.truncated ?? {};
  const missing = t.missingImages ?? r.missingImages.length;
  const unreadable = t.unreadableImages ?? r.unreadableImages.length;
  // absent from reports of datasets imported before follow-up was read; null without follow-up columns
  const survival: SurvivalSummary | null = r.survival ?? null;
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
      {r.boxes && <BoxesReport boxes={r.boxes} rejectedTotal={t["boxes.rejected"]} />}
      {survival && <SurvivalReport survival={survival} />}
      <div className="ds-grid">
        {/* a risk dataset imported without a label column has no diagnoses to list */}
        {(Object.keys(r.diagnoses).length > 0 || !survival) && (
          <section>
            <h3>Diagnoses ({Object.keys(r.diagnoses).length}; {r.unlabeledImages} images unlabeled)</h3>
            <table className="ds-table" data-testid="report-diagnoses">
              <thead><tr><th scope="col">diagnosis</th><th scope="col" className="num">images</th></tr></thead>
              <tbody>{Object.entries(r.diagnoses).slice(0, 200).map(([k, v]) => <tr key={k}><td>{k}</td><td className="num">{v}</td></tr>)}</tbody>
            </table>
          </section>
        )}
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

function BoxesReport({ boxes: b, rejectedTotal }: { boxes: BoxesData; rejectedTotal: number | undefined }) {
  const rejected = rejectedTotal ?? b.rejected.length;
  const sizeRows: [string, Quantiles, (x: number) => string][] = b.size
    ? [
        ["width (px)", b.size.width, String],
        ["height (px)", b.size.height, String],
        ["√area (px)", b.size.sqrtArea, String],
        ["width / image width", b.size.relWidth, pct],
        ["height / image height", b.size.relHeight, pct],
        ["√(area / image area)", b.size.relSqrtArea, pct],
      ]
    : [];
  return (
    <section className="ds-boxes-report" data-testid="report-boxes">
      <h3>Boxes ({b.format}: {b.file})</h3>
      <dl className="ds-facts">
        <div><dt>boxes</dt><dd data-testid="report-boxes-total">{b.total}</dd></div>
        <div><dt>classes</dt><dd>{b.classes.length}</dd></div>
        <div><dt>images with boxes</dt><dd>{b.imagesWithBoxes}</dd></div>
        <div><dt>no findings</dt><dd data-testid="report-no-findings">{b.noFindings}</dd></div>
        <div><dt>boxes per image</dt><dd>{b.perImage.min}–{b.perImage.max} (mean {b.perImage.mean})</dd></div>
        <div><dt>rejected</dt><dd data-testid="report-boxes-rejected">{rejected}</dd></div>
        <div><dt>clipped to the image</dt><dd>{b.clipped}</dd></div>
      </dl>
      <div className="ds-grid">
        <div>
          <table className="ds-table" data-testid="report-box-classes">
            <thead><tr><th scope="col">class</th><th scope="col" className="num">boxes</th><th scope="col" className="num">images</th></tr></thead>
            <tbody>{b.classes.map((c) => <tr key={c}><td>{c}</td><td className="num">{b.perClass[c]}</td><td className="num">{b.imagesPerClass[c]}</td></tr>)}</tbody>
          </table>
          <p className="small muted">Boxes per image: {Object.entries(b.perImage.histogram).map(([k, v]) => `${k}: ${v}`).join(" · ")}{b.unlistedImages !== null ? ` · ${b.unlistedImages} images not listed in the file` : ""}</p>
        </div>
        {b.size && (
          <table className="ds-table" data-testid="report-box-sizes">
            <thead><tr><th scope="col">box size</th>{QUANTILES.map(([, label]) => <th key={label} scope="col" className="num">{label}</th>)}</tr></thead>
            <tbody>{sizeRows.map(([name, q, f]) => <tr key={name}><td>{name}</td>{QUANTILES.map(([k]) => <td key={k} className="num">{f(q[k])}</td>)}</tr>)}</tbody>
          </table>
        )}
      </div>
      {rejected > 0 && (
        <details open={rejected <= 20}>
          <summary className="text-error">{rejected} rejected boxes ({Object.entries(b.rejectedByReason).map(([k, v]) => `${k} ${v}`).join(", ")})</summary>
          <ul className="ds-list" data-testid="report-rejected-boxes">
            {b.rejected.map((x) => <li key={x.source}>{x.source} ({x.image || "no image"}): {x.reason}: {x.message}</li>)}
            <More total={rejectedTotal} shown={b.rejected.length} />
          </ul>
        </details>
      )}
      <p className="small muted">Slightly outside the image: {b.tolerance}.</p>
    </section>
  );
}
