// Users and their API tokens: only a SHA-256 of each token is stored (tokens are 256-bit random, so a
// fast hash is enough; a slow KDF protects low-entropy passwords, which these are not).
import { createHash, randomBytes } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import type { Db } from "./open.ts";
import { users } from "./schema.ts";

export type UserRow = typeof users.$inferSelect;

export const hashToken = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

export function newToken(): string {
  return `ty_${randomBytes(32).toString("base64url")}`;
}

/** Creates a user and returns the token, which exists only in this return value from now on. */
export function addUser(db: Db, name: string, admin: boolean): { user: UserRow; token: string } {
  const token = newToken();
  const user = db.insert(users).values({ name, admin, tokenHash: hashToken(token) }).returning().get();
  return { user, token };
}

/** A new token for an existing user; the old one stops working. */
export function rotateToken(db: Db, name: string): string | null {
  const token = newToken();
  const changed = db.update(users).set({ tokenHash: hashToken(token) }).where(eq(users.name, name)).run().changes;
  return changed ? token : null;
}

export function userByToken(db: Db, token: string): UserRow | undefined {
  return db.select().from(users).where(eq(users.tokenHash, hashToken(token))).get();
}

export function getUser(db: Db, name: string): UserRow | undefined {
  return db.select().from(users).where(eq(users.name, name)).get();
}

export function listUsers(db: Db): UserRow[] {
  return db.select().from(users).orderBy(asc(users.name)).all();
}

export function removeUser(db: Db, name: string): boolean {
  return db.delete(users).where(eq(users.name, name)).run().changes > 0;
}
