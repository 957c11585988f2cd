// Open the store: one SQLite file in WAL mode, migrations from drizzle/ applied before anything else.
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { fileURLToPath } from "node:url";
import * as schema from "./schema.ts";

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../../drizzle", import.meta.url));

export type Db = BetterSQLite3Database<typeof schema>;

export interface Store {
  sqlite: Database.Database;
  db: Db;
  close(): void;
}

export function openStore(file: string, opts: { readonly?: boolean } = {}): Store {
  const sqlite = new Database(file, { readonly: opts.readonly ?? false });
  if (!opts.readonly) {
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = NORMAL"); // durable across process crashes; events.jsonl covers power loss
    sqlite.pragma("foreign_keys = ON");
    sqlite.pragma("busy_timeout = 5000");
  }
  const db = drizzle(sqlite, { schema });
  if (!opts.readonly) migrate(db, { migrationsFolder: MIGRATIONS_DIR });
  return { sqlite, db, close: () => sqlite.close() };
}
