import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { RouterOutputs } from "../api/client";

type AdminUser = RouterOutputs["admin"]["users"]["get"];

/**
 * A change to one user (role, tier, disabled): the answer is the user as now stored, so it replaces
 * the cached page at once; the lists and the caller's own profile (an admin may change themself) are re-read.
 */
export function useUserChange<Variables>(
  change: (variables: Variables) => Promise<AdminUser>,
  onDone: (user: AdminUser) => void,
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: (user) => {
      queryClient.setQueryData(["admin.users.get", user.id], user);
      void queryClient.invalidateQueries({ queryKey: ["admin.users.list"] });
      void queryClient.invalidateQueries({ queryKey: ["auth.me"] });
      onDone(user);
    },
  });
}
