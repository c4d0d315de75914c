"use client";
/** The signed-in user's menu in the header: who, the account pages, sign out (here or everywhere). */
import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import Link from "next/link";
import { useState } from "react";
import type { UserPublicT } from "@/lib/schemas";
import { signOut } from "@/lib/client/token-store";
import { SignOutEverywhereDialog } from "./sign-out-everywhere-dialog";

export function UserMenu({ user }: { user: UserPublicT }) {
  const [busy, setBusy] = useState(false);
  const [confirmEverywhere, setConfirmEverywhere] = useState(false);
  async function leave() {
    setBusy(true);
    await signOut();
    window.location.assign("/login?signed_out=1");
  }
  const initial = (user.full_name || user.email).trim().charAt(0) || "?";
  return (
    <>
    <DropdownMenu.Root modal={false}>
      <DropdownMenu.Trigger className="icon-button user-button" data-testid="user-menu">
        <span className="avatar" aria-hidden="true">
          {initial}
        </span>
        <span className="visually-hidden">Account menu. Signed in as </span>
        <span className="user-email">{user.email}</span>
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content className="menu" align="end" sideOffset={6}>
          <DropdownMenu.Label className="menu-label">
            <strong>{user.full_name || user.email}</strong>
            {user.full_name && user.email}
            {user.is_superuser && <span className="badge">superuser</span>}
          </DropdownMenu.Label>
          <DropdownMenu.Separator className="menu-separator" />
          <DropdownMenu.Item asChild className="menu-item">
            <Link href="/settings">Settings</Link>
          </DropdownMenu.Item>
          <DropdownMenu.Item asChild className="menu-item">
            <Link href="/profile">Profile and token</Link>
          </DropdownMenu.Item>
          {user.is_superuser && (
            <DropdownMenu.Item asChild className="menu-item">
              <Link href="/admin">Admin</Link>
            </DropdownMenu.Item>
          )}
          <DropdownMenu.Separator className="menu-separator" />
          <DropdownMenu.Item className="menu-item" disabled={busy} onSelect={() => void leave()}>
            Sign out
          </DropdownMenu.Item>
          <DropdownMenu.Item className="menu-item danger" disabled={busy} onSelect={() => setConfirmEverywhere(true)}>
            Sign out everywhere
          </DropdownMenu.Item>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
    <SignOutEverywhereDialog open={confirmEverywhere} onOpenChange={setConfirmEverywhere} />
    </>
  );
}
