"use client";
/**
 * /admin: the superuser's users table — server-side paging (skip/limit), search by email or name,
 * order by creation — with add, edit, deactivate/reactivate, delete and each user's live sessions.
 * Anyone else is told plainly that the page is for administrators.
 */
import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { useRequireAuth } from "./auth-provider";
import { PageLoading } from "./page-loading";
import { AddUserDialog } from "./add-user-dialog";
import { EditUserDialog } from "./edit-user-dialog";
import { DeleteUserDialog } from "./delete-user-dialog";
import { UserSessionsDialog } from "./user-sessions-dialog";
import { rowMenuId } from "./user-row-menu";
import { SetActiveDialog } from "./set-active-dialog";
import type { UserListItemT, UserPublicT } from "@/lib/schemas";
import { apiJson, ApiError } from "@/lib/client/api";
import { FormError } from "./form-error";

export const PAGE_SIZE = 20;

type Order = "created_desc" | "created_asc";
type Page = { data: (UserListItemT & { is_verified?: boolean })[]; count: number };
type Dialog =
  | { kind: "add" }
  | { kind: "edit" | "delete" | "sessions" | "active"; user: UserListItemT }
  | null;

export function UsersAdmin() {
  const auth = useRequireAuth();
  if (auth.status !== "signed-in") return <PageLoading label="Loading the admin page…" />;
  if (!auth.user.is_superuser) {
    return (
      <section className="card narrow" aria-labelledby="admin-only-heading">
        <h1 id="admin-only-heading">For administrators only</h1>
        <p className="muted">
          This page manages every account, so only superusers can use it. Your own account is on the{" "}
          <Link href="/settings">settings page</Link>.
        </p>
      </section>
    );
  }
  return <UsersTable me={auth.user} />;
}

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "Never";
}

function day(iso: string): string {
  return new Date(iso).toLocaleDateString(undefined, { dateStyle: "medium" });
}

function UsersTable({ me }: { me: UserPublicT }) {
  const [search, setSearch] = useState("");
  const [q, setQ] = useState("");
  const [order, setOrder] = useState<Order>("created_desc");
  const [skip, setSkip] = useState(0);
  const [page, setPage] = useState<Page | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [dialog, setDialog] = useState<Dialog>(null);

  // Typing searches after a short pause; the first page of the new results is shown.
  useEffect(() => {
    const timer = window.setTimeout(() => {
      setQ(search.trim());
      setSkip(0);
    }, 300);
    return () => window.clearTimeout(timer);
  }, [search]);

  useEffect(() => {
    let current = true;
    const params = new URLSearchParams({ skip: String(skip), limit: String(PAGE_SIZE), order });
    if (q) params.set("q", q);
    apiJson<Page>(`/api/v1/users?${params}`)
      .then((body) => {
        if (!current) return;
        setPage(body);
        setLoadError(null);
      })
      .catch((e) => current && e instanceof ApiError && setLoadError(e.message));
    return () => {
      current = false;
    };
  }, [q, order, skip, version]);

  const reload = useCallback(() => setVersion((v) => v + 1), []);
  const done = useCallback(
    (text: string) => {
      setActionError(null);
      setMessage(text);
      reload();
    },
    [reload],
  );

  const showVerified = page?.data.some((u) => typeof u.is_verified === "boolean") ?? false;
  const first = page && page.count > 0 ? skip + 1 : 0;
  const last = page ? Math.min(skip + PAGE_SIZE, page.count) : 0;

  return (
    <div className="stack wide-page">
      <div className="page-head">
        <div>
          <h1>Users</h1>
          <p className="muted">Every account: add, edit, deactivate, delete, and end their sessions.</p>
        </div>
        <button type="button" className="button primary inline" onClick={() => setDialog({ kind: "add" })}>
          Add user
        </button>
      </div>
      <section className="card" aria-labelledby="users-heading">
        <h2 id="users-heading" className="visually-hidden">
          Users table
        </h2>
        <form className="toolbar" role="search" onSubmit={(e) => e.preventDefault()}>
          <div className="field grow">
            <label htmlFor="user-search">Search by email or name</label>
            <input
              id="user-search"
              type="search"
              className="input"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              placeholder="ada@example.com"
              autoComplete="off"
            />
          </div>
          <div className="field">
            <label htmlFor="user-order">Sort</label>
            <select
              id="user-order"
              className="input"
              value={order}
              onChange={(e) => {
                setOrder(e.target.value as Order);
                setSkip(0);
              }}
            >
              <option value="created_desc">Newest first</option>
              <option value="created_asc">Oldest first</option>
            </select>
          </div>
        </form>
        <div aria-live="polite">
          {message && <p className="notice success">{message}</p>}
        </div>
        <div aria-live="assertive">
          <FormError message={actionError} />
        </div>
        {loadError && (
          <div className="form-error" role="alert">
            Could not load the users: {loadError}{" "}
            <button type="button" className="button small" onClick={reload}>
              Retry
            </button>
          </div>
        )}
        {!page && !loadError && (
          <div aria-busy="true">
            <p className="muted">Loading users…</p>
            <span className="skeleton" />
            <span className="skeleton" />
            <span className="skeleton" />
          </div>
        )}
        {page && page.count === 0 && (
          <p className="empty">{q ? `No user matches “${q}”.` : "No users yet."}</p>
        )}
        {page && page.count > 0 && (
          <div className="table-wrap">
            <table className="table users" data-testid="users-table">
              <caption className="visually-hidden">
                Users {first} to {last} of {page.count}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  {showVerified && <th scope="col">Verified</th>}
                  <th scope="col">Created</th>
                  <th scope="col">Last activity</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.data.map((user) => (
                  <tr key={user.id} data-email={user.email}>
                    <td className="email" data-label="Email">
                      {user.email}
                      {user.id === me.id && <span className="badge neutral">you</span>}
                    </td>
                    <td data-label="Name">{user.full_name || <span className="muted">—</span>}</td>
                    <td data-label="Role">
                      <span className={user.is_superuser ? "badge" : "badge neutral"}>
                        {user.is_superuser ? "Superuser" : "User"}
                      </span>
                    </td>
                    <td data-label="Status">
                      <span className={user.is_active ? "badge success" : "badge danger"}>
                        {user.is_active ? "Active" : "Inactive"}
                      </span>
                    </td>
                    {showVerified && <td data-label="Verified">{user.is_verified ? "Yes" : "No"}</td>}
                    <td className="nowrap" data-label="Created">
                      <time dateTime={user.created_at} title={when(user.created_at)}>
                        {day(user.created_at)}
                      </time>
                    </td>
                    <td className="nowrap" data-label="Last activity">
                      {user.last_active_at ? <time dateTime={user.last_active_at}>{when(user.last_active_at)}</time> : "Never"}
                    </td>
                    <td className="row-actions">
                      <DropdownMenu.Root modal={false}>
                        <DropdownMenu.Trigger className="button small" id={rowMenuId(user)}>
                          Manage<span className="visually-hidden"> {user.email}</span>
                        </DropdownMenu.Trigger>
                        <DropdownMenu.Portal>
                          <DropdownMenu.Content className="menu" align="end" sideOffset={4}>
                            <DropdownMenu.Item className="menu-item" onSelect={() => setDialog({ kind: "edit", user })}>
                              Edit
                            </DropdownMenu.Item>
                            <DropdownMenu.Item className="menu-item" onSelect={() => setDialog({ kind: "sessions", user })}>
                              Sessions
                            </DropdownMenu.Item>
                            {user.id !== me.id && (
                              <DropdownMenu.Item className="menu-item" onSelect={() => setDialog({ kind: "active", user })}>
                                {user.is_active ? "Deactivate" : "Reactivate"}
                              </DropdownMenu.Item>
                            )}
                            {user.id !== me.id && (
                              <DropdownMenu.Item
                                className="menu-item danger"
                                onSelect={() => setDialog({ kind: "delete", user })}
                              >
                                Delete
                              </DropdownMenu.Item>
                            )}
                          </DropdownMenu.Content>
                        </DropdownMenu.Portal>
                      </DropdownMenu.Root>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {page && page.count > 0 && (
          <nav className="pager" aria-label="Pages of users">
            <span className="muted small-print" data-testid="users-range">
              {first}–{last} of {page.count}
            </span>
            <div className="actions">
              <button
                type="button"
                className="button small"
                disabled={skip === 0}
                onClick={() => setSkip(Math.max(0, skip - PAGE_SIZE))}
              >
                Previous page
              </button>
              <button
                type="button"
                className="button small"
                disabled={skip + PAGE_SIZE >= page.count}
                onClick={() => setSkip(skip + PAGE_SIZE)}
              >
                Next page
              </button>
            </div>
          </nav>
        )}
      </section>
      <AddUserDialog open={dialog?.kind === "add"} onOpenChange={(o) => setDialog(o ? { kind: "add" } : null)} onDone={done} />
      {dialog?.kind === "edit" && (
        <EditUserDialog user={dialog.user} isSelf={dialog.user.id === me.id} onClose={() => setDialog(null)} onDone={done} />
      )}
      {dialog?.kind === "delete" && <DeleteUserDialog user={dialog.user} onClose={() => setDialog(null)} onDone={done} />}
      {dialog?.kind === "sessions" && <UserSessionsDialog user={dialog.user} onClose={() => setDialog(null)} />}
      {dialog?.kind === "active" && <SetActiveDialog user={dialog.user} onClose={() => setDialog(null)} onDone={done} />}
    </div>
  );
}
