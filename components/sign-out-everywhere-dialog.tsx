"use client";
/** Confirmation before signing out everywhere: one click would otherwise end every session at once. */
import { ConfirmDialog } from "./confirm-dialog";
import { signOut } from "@/lib/client/token-store";

export function SignOutEverywhereDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  async function confirm() {
    await signOut({ everywhere: true });
    window.location.assign("/login?signed_out=everywhere");
  }

  return (
    <ConfirmDialog
      open={open}
      onOpenChange={onOpenChange}
      title="Sign out everywhere?"
      description="Every browser and every API token of your account is signed out at once, this one included. Linked sign-in methods stay linked."
      label="Sign out everywhere"
      pendingLabel="Signing out…"
      onConfirm={confirm}
    />
  );
}
