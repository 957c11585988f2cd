import { formatMetric } from "../lib/run-progress.ts";
import type { RunCheckpoint } from "../lib/trpc.ts";
import { RegisterModelButton } from "./models/register-model-dialog.tsx";

/** The checkpoint to offer first: the one the trainer saved as "best" (by its monitored metric). */
export function bestCheckpoint(checkpoints: readonly RunCheckpoint[]): RunCheckpoint | null {
  return checkpoints.find((c) => c.name === "best") ?? null;
}

/** With `register` (a finished run), each row also offers registering that checkpoint as a model version. */
export function CheckpointList({ checkpoints, register }: { checkpoints: readonly RunCheckpoint[]; register?: { runId: string; modelName: string } }) {
  if (!checkpoints.length) return <p className="muted small">No checkpoints yet.</p>;
  const best = bestCheckpoint(checkpoints);
  return (
    <table className="compact-table" data-testid="checkpoints">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col" className="num">Epoch</th>
          <th scope="col" className="num">Step</th>
          <th scope="col">Monitor</th>
          <th scope="col">
            <span className="sr-only">Download</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {checkpoints.map((c) => (
          <tr key={c.name} data-testid="checkpoint-row" data-best={c === best || undefined} className={c === best ? "best-cell" : undefined}>
            <td className="mono">{c.name}{c === best && <span className="small" title="best by the monitored metric"> ★{c.name === "best" ? "" : " best"}</span>}</td>
            <td className="num mono">{c.epoch}</td>
            <td className="num mono">{c.step}</td>
            <td className="mono small">{c.monitorName ? `${c.monitorName} ${formatMetric(c.monitorValue)}` : "—"}</td>
            <td>
              <span className="checkpoint-actions">
                <a href={c.downloadUrl} download className="link-small">
                  Download
                </a>
                {register && <RegisterModelButton runId={register.runId} checkpoint={c.name} defaultName={register.modelName} />}
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
