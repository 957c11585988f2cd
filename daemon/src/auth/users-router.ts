// Users and tokens over the API: admins add, list and remove users; anyone signed in can ask who they are.
import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { addUser, getUser, listUsers, removeUser, rotateToken } from "@trainyard/db";
import { publicProcedure, router } from "../api/trpc.ts";

const userName = z.string().regex(/^[A-Za-z0-9][\w.@-]{0,63}$/, { error: "use letters, digits and . _ @ - (at most 64, starting with a letter or digit)" });

const adminProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user.admin) throw new TRPCError({ code: "FORBIDDEN", message: `${ctx.user.name} is not an admin; ask an admin to manage users` });
  return next();
});

export const usersRouter = router({
  me: publicProcedure.query(({ ctx }) => ({ name: ctx.user.name, admin: ctx.user.admin, authRequired: ctx.authRequired })),
  list: adminProcedure.query(({ ctx }) => listUsers(ctx.daemon.store.db).map((u) => ({ name: u.name, admin: u.admin, createdAt: u.createdAt }))),
  /** Creates a user; the token is in this answer only (the store keeps its hash). */
  add: adminProcedure.input(z.object({ name: userName, admin: z.boolean().default(false) })).mutation(({ ctx, input }) => {
    if (getUser(ctx.daemon.store.db, input.name)) throw new TRPCError({ code: "CONFLICT", message: `user "${input.name}" exists; \`trainyard user token ${input.name}\` issues a new token` });
    const { user, token } = addUser(ctx.daemon.store.db, input.name, input.admin);
    return { name: user.name, admin: user.admin, token };
  }),
  /** A new token for an existing user; the old one stops working. */
  token: adminProcedure.input(z.object({ name: userName })).mutation(({ ctx, input }) => {
    const token = rotateToken(ctx.daemon.store.db, input.name);
    if (!token) throw new TRPCError({ code: "NOT_FOUND", message: `no user "${input.name}"` });
    return { name: input.name, token };
  }),
  remove: adminProcedure.input(z.object({ name: userName })).mutation(({ ctx, input }) => {
    if (!removeUser(ctx.daemon.store.db, input.name)) throw new TRPCError({ code: "NOT_FOUND", message: `no user "${input.name}"` });
    return { name: input.name };
  }),
});
