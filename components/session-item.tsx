import type { SessionPublicT } from "@/lib/schemas";

/**
 * One live session in a list: the device, how and when it signed in, and a revoke button. With
 * `markCurrent` (the user's own list), the session of this browser says so and cannot be revoked here.
 */
export function SessionItem({
  session: s,
  markCurrent = false,
  onRevoke,
}: {
  session: SessionPublicT;
  markCurrent?: boolean;
  onRevoke: (id: string) => void;
}) {
  const current = markCurrent && s.current;
  return (
    <li className="session">
      <div>
        <strong>{s.device}</strong>
        {current && <span className="badge">this browser</span>}
        <div className="muted small-print">
          {s.method === "session" ? "Browser sign-in" : "Password login (API)"} · signed in{" "}
          {new Date(s.created_at).toLocaleString()}
          {s.last_used_at && <> · last used {new Date(s.last_used_at).toLocaleString()}</>}
        </div>
      </div>
      {!current && (
        <button type="button" className="button small danger" onClick={() => onRevoke(s.id)}>
          Revoke<span className="visually-hidden"> {s.device} session</span>
        </button>
      )}
    </li>
  );
}
