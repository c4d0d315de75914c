"use client";
import type { SessionPublicT } from "@/lib/schemas";
import { apiJson, ApiError } from "@/lib/client/api";
import { useApiList } from "@/lib/client/use-api-list";
import { FormError } from "./form-error";
import { SessionItem } from "./session-item";

/** The user's live tokens and browser sign-ins, each with a revoke button (but the current one). */
export function SessionsList({ refreshKey }: { refreshKey: string }) {
  const { items: sessions, error, setError, reload } = useApiList<SessionPublicT>("/api/v1/sessions", refreshKey);

  async function revoke(id: string) {
    try {
      await apiJson(`/api/v1/sessions/${encodeURIComponent(id)}`, { method: "DELETE" });
    } catch (e) {
      if (e instanceof ApiError) setError(e.message);
    }
    await reload();
  }

  return (
    <section className="card" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Live sessions</h2>
      <FormError message={error} />
      {!sessions && !error && <p className="muted">Loading…</p>}
      {sessions && sessions.length === 0 && <p className="muted">No live sessions.</p>}
      {sessions && sessions.length > 0 && (
        <ul className="sessions" data-testid="sessions">
          {sessions.map((s) => (
            <SessionItem key={s.id} session={s} markCurrent onRevoke={(id) => void revoke(id)} />
          ))}
        </ul>
      )}
    </section>
  );
}
