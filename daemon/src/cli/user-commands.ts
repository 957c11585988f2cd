// `trainyard user add NAME [--admin] | ls | token NAME | rm NAME`.
// `add` goes through the daemon when the caller may manage users (an admin token, or a loopback daemon).
// The first user of a token-protected daemon cannot come from the API (nobody can sign in yet), so `add`
// then writes to the store under --home / TRAINYARD_HOME directly: whoever can write the daemon's files
// owns it anyway. Either way the token is printed once and only its hash is stored.
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { TRPCClientError } from "@trpc/client";
import { addUser, getUser, openStore } from "@trainyard/db";
import { daemonUrl, makeClient } from "./client.ts";

const USAGE = "usage: trainyard user add NAME [--admin] [--home DIR] | ls | token NAME | rm NAME";

function homeDb(home: string | undefined): string {
  return join(resolve(home ?? process.env.TRAINYARD_HOME ?? join(homedir(), ".trainyard")), "trainyard.db");
}

/** Bootstrap: add the user straight into the daemon's store (the daemon need not run). */
function addLocally(dbFile: string, name: string, admin: boolean): string {
  if (!existsSync(dbFile)) throw new Error(`no Trainyard store at ${dbFile}: start the daemon once with this --home, or pass the right --home`);
  const store = openStore(dbFile);
  try {
    if (getUser(store.db, name)) throw new Error(`user "${name}" exists; an admin issues a new token with \`trainyard user token ${name}\``);
    return addUser(store.db, name, admin).token;
  } finally {
    store.close();
  }
}

const refusedOrDown = (e: unknown) =>
  e instanceof TRPCClientError && (["UNAUTHORIZED", "FORBIDDEN"].includes((e.data as { code?: string } | undefined)?.code ?? "") || /fetch failed/.test(e.message));

export async function user(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { admin: { type: "boolean" }, home: { type: "string" }, json: { type: "boolean" } } });
  const [sub, name] = positionals;
  const client = makeClient();
  if (sub === "add" && name) {
    let token: string;
    if (values.home) {
      token = addLocally(homeDb(values.home), name, !!values.admin);
      console.error(`added ${values.admin ? "admin " : ""}user "${name}" to ${homeDb(values.home)}`);
    } else {
      try {
        token = (await client.users.add.mutate({ name, admin: !!values.admin })).token;
        console.error(`added ${values.admin ? "admin " : ""}user "${name}" through ${daemonUrl()}`);
      } catch (e) {
        // with a token of your own, a refusal is an answer (not an admin), never a reason to go around the daemon
        if (!refusedOrDown(e) || process.env.TRAINYARD_TOKEN) throw e;
        // no admin token for that daemon (or it is down): the machine owner's bootstrap path
        token = addLocally(homeDb(undefined), name, !!values.admin);
        console.error(`added ${values.admin ? "admin " : ""}user "${name}" directly to ${homeDb(undefined)} (the daemon refused or was unreachable: ${(e as Error).message})`);
      }
    }
    console.log(token);
    console.error("This token is shown once; Trainyard stores only its hash. Use it as TRAINYARD_TOKEN or on the dashboard's sign-in page.");
    return 0;
  }
  if (sub === "ls") {
    const users = await client.users.list.query();
    if (values.json) console.log(JSON.stringify(users, null, 2));
    else for (const u of users) console.log(`${u.name.padEnd(24)} ${u.admin ? "admin" : "member"}`);
    return 0;
  }
  if (sub === "token" && name) {
    console.log((await client.users.token.mutate({ name })).token);
    console.error(`the previous token of ${name} no longer works`);
    return 0;
  }
  if (sub === "rm" && name) {
    await client.users.remove.mutate({ name });
    console.error(`removed user ${name}`);
    return 0;
  }
  throw new Error(USAGE);
}
