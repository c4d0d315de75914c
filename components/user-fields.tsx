/**
 * The fields a superuser sets on a user, in the add and the edit dialog: email, name, password, active,
 * superuser. Adding starts empty (active, not a superuser); editing starts from `user`. `prefix` keeps the
 * two forms' ids apart.
 */
import { FormField } from "./form-field";
import type { UserListItemT } from "@/lib/schemas";
import type { FormErrors } from "@/lib/client/use-form";

function CheckField({ name, label, defaultChecked }: { name: string; label: string; defaultChecked: boolean }) {
  return (
    <div className="check">
      <input id={name} name={name} type="checkbox" defaultChecked={defaultChecked} />
      <label htmlFor={name}>{label}</label>
    </div>
  );
}

export function UserFields({ prefix, user, errors }: { prefix: string; user?: UserListItemT; errors: FormErrors }) {
  return (
    <>
      <FormField
        label="Email"
        name={`${prefix}_email`}
        type="email"
        autoComplete="off"
        required={!user}
        defaultValue={user?.email}
        error={errors.email}
      />
      <FormField
        label={user ? "Full name" : "Full name (optional)"}
        name={`${prefix}_full_name`}
        type="text"
        autoComplete="off"
        defaultValue={user ? (user.full_name ?? "") : undefined}
        error={errors.full_name}
      />
      <FormField
        label={user ? "New password (optional)" : "Password (optional)"}
        name={`${prefix}_password`}
        type="password"
        autoComplete="new-password"
        hint={user ? "Setting one signs the user out everywhere." : "Empty: an invitation is mailed instead."}
        error={errors.password}
      />
      <CheckField name={`${prefix}_is_active`} label="Active (can sign in)" defaultChecked={user?.is_active ?? true} />
      <CheckField
        name={`${prefix}_is_superuser`}
        label="Superuser (can manage users)"
        defaultChecked={user?.is_superuser ?? false}
      />
    </>
  );
}

/** What the fields hold: the name trimmed (empty: none), the password only when one was typed. */
export function readUserFields(form: FormData, prefix: string) {
  const text = (name: string) => String(form.get(`${prefix}_${name}`) ?? "");
  return {
    email: text("email").trim(),
    full_name: text("full_name").trim() || null,
    password: text("password") || undefined,
    is_superuser: form.get(`${prefix}_is_superuser`) === "on",
    is_active: form.get(`${prefix}_is_active`) === "on",
  };
}
