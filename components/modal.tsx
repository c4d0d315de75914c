"use client";
/**
 * A dialog on Radix's: focus moves in, stays in (Tab cycles inside), Escape closes, and focus returns
 * to the control that opened it. Radix returns focus to its own Dialog.Trigger; these dialogs are opened
 * by ordinary buttons (a table row's), so the element focused when the dialog opened is remembered.
 */
import * as Dialog from "@radix-ui/react-dialog";
import { useLayoutEffect, useRef, type ReactNode } from "react";

export function Modal({
  open,
  onOpenChange,
  title,
  description,
  wide = false,
  returnFocus,
  children,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description?: ReactNode;
  wide?: boolean;
  /** Where focus goes on close when not the element focused at opening (a menu item that is gone). */
  returnFocus?: () => HTMLElement | null;
  children: ReactNode;
}) {
  const returnTo = useRef<HTMLElement | null>(null);
  // A layout effect runs before Radix moves focus into the dialog (in its own effects).
  useLayoutEffect(() => {
    if (open && document.activeElement instanceof HTMLElement) returnTo.current = document.activeElement;
  }, [open]);
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content
          className={wide ? "dialog wide" : "dialog"}
          onCloseAutoFocus={(event) => {
            event.preventDefault();
            const target = returnFocus?.() ?? returnTo.current;
            if (target?.isConnected) target.focus();
            returnTo.current = null;
          }}
        >
          <Dialog.Title asChild>
            <h2>{title}</h2>
          </Dialog.Title>
          {description ? (
            <Dialog.Description className="muted">{description}</Dialog.Description>
          ) : (
            <Dialog.Description className="visually-hidden">{title}</Dialog.Description>
          )}
          {children}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

/** A button that closes the dialog it is in. */
export function ModalClose({ children, className = "button" }: { children: ReactNode; className?: string }) {
  return (
    <Dialog.Close asChild>
      <button type="button" className={className}>
        {children}
      </button>
    </Dialog.Close>
  );
}
