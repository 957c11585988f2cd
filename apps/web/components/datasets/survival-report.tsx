// The follow-up part of a risk dataset's import report: cases, events and censoring, the follow-up's
// spread, a histogram of follow-up by year with each year's events, and the views cases have and lack.
import { followupYears, survivalFacts, viewRows, viewsPerCaseRows, type SurvivalSummary } from "../../lib/survival-summary.ts";
import "./datasets.css";

export function SurvivalReport({ survival: s }: { survival: SurvivalSummary }) {
  const years = followupYears(s);
  const views = viewRows(s);
  const perCase = viewsPerCaseRows(s);
  return (
    <section className="ds-survival-report" data-testid="report-survival">
      <h3>Follow-up</h3>
      <dl className="ds-facts">
        {survivalFacts(s).map((f) => (
          <div key={f.label}><dt>{f.label}</dt><dd data-testid={f.testId}>{f.value}</dd></div>
        ))}
      </dl>
      <div className="ds-grid">
        <figure className="ds-hist-figure">
          <figcaption className="small muted">
            Cases by follow-up (years): <span className="ds-key ds-key-events" aria-hidden="true" /> event in that year ·{" "}
            <span className="ds-key ds-key-censored" aria-hidden="true" /> censored in that year
          </figcaption>
          <div className="ds-hist" data-testid="followup-histogram" role="img"
            aria-label={`Follow-up histogram: ${years.map((r) => `${r.label}: ${r.cases} cases, ${r.events} events`).join("; ")}`}>
            {years.map((r) => (
              <div key={r.bin} className="ds-hist-col" data-testid="followup-bin" data-bin={r.bin} data-cases={r.cases} data-events={r.events}
                title={`${r.label}: ${r.cases} cases, ${r.events} events, ${r.censored} censored`}>
                <div className="ds-hist-bar" style={{ height: `${100 * r.height}%` }}>
                  <span className="ds-hist-count">{r.cases}</span>
                  <div className="ds-hist-events" style={{ height: `${100 * r.eventShare}%` }} />
                </div>
                <span className="ds-hist-label">{r.bin}</span>
              </div>
            ))}
          </div>
        </figure>
        <table className="ds-table" data-testid="report-followup-years">
          <thead><tr><th scope="col">follow-up</th><th scope="col" className="num">cases</th><th scope="col" className="num">events</th><th scope="col" className="num">censored</th></tr></thead>
          <tbody>
            {years.map((r) => (
              <tr key={r.bin}><td>{r.label}</td><td className="num">{r.cases}</td><td className="num">{r.events}</td><td className="num">{r.censored}</td></tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="ds-grid">
        <table className="ds-table" data-testid="report-views-per-case">
          <thead><tr><th scope="col">views per case</th><th scope="col" className="num">cases</th></tr></thead>
          <tbody>{perCase.map(([k, n]) => <tr key={k}><td>{k}</td><td className="num">{n}</td></tr>)}</tbody>
        </table>
        <table className="ds-table" data-testid="report-views">
          <thead><tr><th scope="col">view</th><th scope="col" className="num">images</th><th scope="col" className="num">cases lacking it</th></tr></thead>
          <tbody>{views.map((v) => <tr key={v.view}><td>{v.view}</td><td className="num">{v.images}</td><td className="num">{v.missing}</td></tr>)}</tbody>
        </table>
      </div>
    </section>
  );
}
