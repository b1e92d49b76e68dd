import { t } from "../trpc.js";

/**
 * A call that sends no input (`GET /trpc/videos.list` without `?input=`, a POST without a body)
 * is read as `{}`: every input of this API is an object, so a procedure whose fields are all
 * optional answers with its defaults, and one with a required field still refuses with a 400 that
 * names the missing fields. Input that is present is validated exactly as sent.
 */
export const absentInputMiddleware = t.middleware(({ getRawInput, next }) =>
  next({
    getRawInput: async () => {
      const raw = await getRawInput();
      return raw === undefined ? {} : raw;
    },
  }),
);
