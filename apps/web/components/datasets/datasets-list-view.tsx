"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "../../lib/trpc.ts";
import { StatePanel } from "../state-panel.tsx";
import "./datasets.css";

export function DatasetsListView() {
  const trpc = useTRPC();
  const list = useQuery(trpc.datasets.list.queryOptions());
  const imports = useQuery(trpc.datasets.imports.queryOptions(undefined, { refetchInterval: (q) => (q.state.data?.some((j) => j.status === "running") ? 1000 : false) }));
  const running = imports.data?.filter((j) => j.status === "running") ?? [];
  return (
    <>
      <div className="page-head">
        <h1>Datasets</h1>
        <div className="page-actions">
          <Link className="button" href="/labels">Label sets</Link>
          <Link className="button button-primary" href="/datasets/import">Import a dataset</Link>
        </div>
      </div>
      {running.map((j) => (
        <p key={j.id} className="muted">Importing {j.dataset}: {j.phase ?? "starting"} {j.total > 1 ? `${j.done}/${j.total}` : ""}</p>
      ))}
      {list.isPending ? (
        <StatePanel kind="loading" title="Loading datasets…" />
      ) : list.isError ? (
        <StatePanel kind="error" title="Could not load the datasets">{list.error.message}</StatePanel>
      ) : !list.data.length ? (
        <StatePanel kind="empty" title="No dataset yet"><Link href="/datasets/import">Import one</Link>, or run `trainyard demo`.</StatePanel>
      ) : (
        <div className="table-wrap">
          <table className="ds-table" data-testid="datasets-table">
            <thead><tr><th scope="col">name</th><th scope="col" className="num">images</th><th scope="col" className="num">groups</th><th scope="col" className="num">diagnoses</th><th scope="col" className="num">boxes</th><th scope="col">imported</th></tr></thead>
            <tbody>
              {list.data.map((d) => (
                <tr key={d.name}>
                  <td><Link href={`/datasets/${encodeURIComponent(d.name)}`}>{d.name}</Link></td>
                  <td className="num">{d.numSamples}</td>
                  <td className="num">{d.numGroups}</td>
                  <td className="num">{d.numDiagnoses}</td>
                  <td className="num" title={d.boxes ? `${Object.entries(d.boxes.classes).map(([k, v]) => `${k} ${v}`).join(", ")}; ${d.boxes.noFindings} images without findings` : "imported without boxes"}>{d.boxes ? d.boxes.total : "—"}</td>
                  <td>{new Date(d.createdAt).toLocaleString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
