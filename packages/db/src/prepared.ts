// Statements prepared once per connection and SQL text: the chart and ingest paths run the same handful
// of queries per series, thousands of times a read.
import type Database from "better-sqlite3";

const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();

export function stmt(sqlite: Database.Database, sql: string): Database.Statement {
  let byText = statements.get(sqlite);
  if (!byText) statements.set(sqlite, (byText = new Map()));
  let s = byText.get(sql);
  if (!s) byText.set(sql, (s = sqlite.prepare(sql)));
  return s;
}
