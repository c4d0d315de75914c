"use client";
/** Confirmation before signing out everywhere: one click would otherwise end every session at once. */
import { Modal, ModalClose } from "./modal";
import { signOut } from "@/lib/client/token-store";
import { useForm } from "@/lib/client/use-form";

export function SignOutEverywhereDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const { pending, submit } = useForm();

  async function confirm() {
    await submit(
      async () => {
        await signOut({ everywhere: true });
        window.location.assign("/login?signed_out=everywhere");
      },
      { keepPending: true },
    );
  }

  return (
    <Modal
      open={open}
      onOpenChange={onOpenChange}
      title="Sign out everywhere?"
      description="Every browser and every API token of your account is signed out at once, this one included. Linked sign-in methods stay linked."
    >
      <div className="actions">
        <button type="button" className="button danger solid" disabled={pending} onClick={() => void confirm()}>
          {pending ? "Signing out…" : "Sign out everywhere"}
        </button>
        <ModalClose>Cancel</ModalClose>
      </div>
    </Modal>
  );
}
