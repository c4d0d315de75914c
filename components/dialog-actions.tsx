import { ModalClose } from "./modal";

/**
 * A dialog's buttons: its action, disabled and saying so while pending, and Cancel. Without `onClick`
 * the action submits the dialog's form.
 */
export function DialogActions({
  label,
  pendingLabel,
  pending,
  className = "button primary",
  onClick,
}: {
  label: string;
  pendingLabel: string;
  pending: boolean;
  className?: string;
  onClick?: () => void;
}) {
  return (
    <div className="actions">
      <button type={onClick ? "button" : "submit"} className={className} disabled={pending} onClick={onClick}>
        {pending ? pendingLabel : label}
      </button>
      <ModalClose>Cancel</ModalClose>
    </div>
  );
}
