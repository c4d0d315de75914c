import type { UserListItemT } from "@/lib/schemas";

/** The row's "Actions for …" button, where focus goes back when a dialog opened from its menu closes. */
export const rowMenuId = (user: UserListItemT) => `actions-${user.id}`;

/** A dialog's `returnFocus` for one row's dialogs: the menu item that opened it is gone by then. */
export const backToRow = (user: UserListItemT) => () => document.getElementById(rowMenuId(user));

/** What a dialog opened from a row's menu is given: the user, how to close it, and where to say what it did. */
export type RowDialogProps = { user: UserListItemT; onClose: () => void; onDone: (message: string) => void };
