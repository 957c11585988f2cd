import { lineOfPath, sortIssues, type ConfigIssue } from "../lib/config-issues.ts";

interface Props {
  issues: readonly ConfigIssue[];
  /** The YAML the issues are about, to point each at its line when it can be found. */
  yaml?: string;
  onJumpToLine?: (line: number) => void;
}

/** Config issues, each next to the field path it is about. */
export function IssueList({ issues, yaml, onJumpToLine }: Props) {
  if (!issues.length) return null;
  return (
    <ul className="issues" data-testid="config-issues" aria-label="Config issues">
      {sortIssues(issues).map((issue, i) => {
        const line = yaml ? lineOfPath(yaml, issue.path) : null;
        return (
          <li key={`${issue.path}-${i}`} className="issue" data-testid="config-issue" data-path={issue.path}>
            <code className="issue-path">{issue.path || "(config)"}</code>
            <span className="issue-message">{issue.message}</span>
            {line != null &&
              (onJumpToLine ? (
                <button type="button" className="link-button issue-line" onClick={() => onJumpToLine(line)}>
                  line {line}
                </button>
              ) : (
                <span className="issue-line muted">line {line}</span>
              ))}
          </li>
        );
      })}
    </ul>
  );
}
