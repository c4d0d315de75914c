"use client";
import { useCallback, useEffect, useState } from "react";
import { apiJson, ApiError } from "./api";

/**
 * A list the API answers as `{data: [...]}` (sessions, linked accounts, events), loaded when the
 * component mounts and again whenever `refreshKey` changes or `reload()` is called. `items` is null until
 * the first answer; `error` holds the API's message when a load (or the caller, through `setError`) failed.
 */
export function useApiList<T>(path: string, refreshKey: string) {
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const fetchList = useCallback(() => apiJson<{ data: T[] }>(path).then((body) => body.data), [path]);

  const reload = useCallback(async () => {
    try {
      setItems(await fetchList());
    } catch (e) {
      if (e instanceof ApiError) setError(e.message);
    }
  }, [fetchList]);

  useEffect(() => {
    // An answer that arrives after the component is gone (or after a newer load began) is dropped.
    let current = true;
    fetchList()
      .then((data) => current && setItems(data))
      .catch((e) => current && e instanceof ApiError && setError(e.message));
    return () => {
      current = false;
    };
  }, [fetchList, refreshKey]);

  return { items, error, setError, reload };
}
