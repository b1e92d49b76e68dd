import { USER_REPOSITORY, type UserRepository } from "../../server/src/modules/identity/application/user.repository.js";
import type { HttpTestApi } from "./http-api.js";
import { PASSWORD, uniqueEmail } from "./users.js";

/** The `result.data` of a successful tRPC answer; throws with the body otherwise. */
export async function resultOf<T>(response: Response): Promise<T> {
  const body = (await response.json()) as { result?: { data: T } };
  if (!response.ok || !body.result) throw new Error(`call failed: ${response.status} ${JSON.stringify(body)}`);
  return body.result.data;
}

/** A user registered over HTTP and made administrator in the database (no procedure promotes oneself). */
export async function registerAdminOverHttp(api: HttpTestApi, label = "admin") {
  const email = uniqueEmail(label);
  const session = await resultOf<{ user: { id: string }; accessToken: string }>(
    await api.post("/trpc/auth.register", { email, password: PASSWORD }),
  );
  const users = api.container.get<UserRepository>(USER_REPOSITORY);
  const admin = await users.findById(session.user.id);
  if (!admin) throw new Error("the administrator vanished");
  admin.changeRole("ADMIN", admin, new Date());
  await users.save(admin);
  return { id: session.user.id, email, headers: { authorization: `Bearer ${session.accessToken}` } };
}
