import { randomUUID } from "node:crypto";
import { createReelbaseClient, createTokenStore } from "../../client/src/index.js";
import { USER_REPOSITORY, type UserRepository } from "../../server/src/modules/identity/application/user.repository.js";
import type { TestApp } from "./test-app.js";

export const PASSWORD = "correct horse battery staple";

export function uniqueEmail(label = "user"): string {
  return `${label}-${randomUUID().slice(0, 8)}@example.com`;
}

export async function registerUser(app: TestApp, label = "user") {
  const email = uniqueEmail(label);
  const session = await app.caller().auth.register({ email, password: PASSWORD, name: label });
  return { ...session, email, bearer: `Bearer ${session.accessToken}` };
}

/** Admins are made directly in the database: no procedure lets a user promote itself. */
export async function registerAdmin(app: TestApp) {
  const admin = await registerUser(app, "admin");
  const users = app.container.get<UserRepository>(USER_REPOSITORY);
  const user = await users.findById(admin.user.id);
  if (!user) throw new Error("admin vanished");
  user.changeRole("ADMIN", user, new Date());
  await users.save(user);
  return admin;
}

/** A new account through the typed client against a listening API, with the header to call it raw. */
export async function signUpOverHttp(url: string, label = "user") {
  const store = createTokenStore();
  const client = createReelbaseClient({ url, auth: { type: "bearer", store } });
  const session = await client.auth.register.mutate({ email: uniqueEmail(label), password: PASSWORD });
  store.set(session);
  return { client, auth: { authorization: `Bearer ${session.accessToken}` } };
}
