import { useQuery } from "@tanstack/react-query";
import { client } from "../api/client";

/** The balance the top bar shows (same query key), and the caller's tier, for the price panels. */
export function useBalance() {
  return useQuery({ queryKey: ["credits.balance"], queryFn: () => client.credits.balance.query() });
}

/** The server's price list and what the caller's tier may ask for: the numbers the charges use. */
export function usePrices() {
  return useQuery({ queryKey: ["credits.prices"], queryFn: () => client.credits.prices.query(), staleTime: 60_000 });
}

export function useMe() {
  return useQuery({ queryKey: ["auth.me"], queryFn: () => client.auth.me.query() });
}
