import { useQuery } from "@tanstack/react-query";
import { client } from "../api/client";

/** The balance the top bar shows (same query key), and the caller's tier, for the price panels. */
export function useBalance() {
  return useQuery({ queryKey: ["credits.balance"], queryFn: () => client.credits.balance.query() });
}

export function useMe() {
  return useQuery({ queryKey: ["auth.me"], queryFn: () => client.auth.me.query() });
}
