"use client";
/**
 * What every form of the pages does the same way: check the input with the schema the server validates
 * with, send it while the form is pending (its button disabled), and show what went wrong by field, or
 * for the whole form under the key `form`.
 */
import { useState } from "react";
import type { ZodType } from "zod";
import { ApiError, OfflineError, SignedOutError } from "./api";

/** Messages by field name; `form` is the one about no single field. */
export type FormErrors = Record<string, string>;

type Issue = { path: readonly PropertyKey[]; message: string };

/**
 * Each field's first zod issue. An issue about no field (a schema of one value) is `field`'s: the form's
 * unless the caller names the input it came from.
 */
export function issueErrors(issues: readonly Issue[], field = "form"): FormErrors {
  const found: FormErrors = {};
  for (const issue of issues) found[String(issue.path[0] ?? field)] ??= issue.message;
  return found;
}

/**
 * What a failed request says: a 422's `detail` list by field (its message when it names none), any
 * other API answer or error as the form's. Null when there is nothing to say here: signed out (the page
 * is on its way to the sign-in page), or no answer (offline, or the page is leaving).
 */
export function apiErrors(error: unknown): FormErrors | null {
  if (error instanceof SignedOutError || error instanceof OfflineError) return null;
  if (error instanceof ApiError && error.status === 422) {
    const fields = error.fieldErrors();
    return Object.keys(fields).length ? fields : { form: error.message };
  }
  return { form: error instanceof Error ? error.message : "The request failed." };
}

/**
 * A password typed again to confirm who is there (sudo mode, deleting the account): the server's
 * "Incorrect password" said plainly, and no answer at all said too, since the person waits on this dialog.
 */
export function passwordErrors(error: unknown): FormErrors | null {
  if (error instanceof ApiError && error.message === "Incorrect password") return { form: "That password is not right." };
  if (error instanceof OfflineError) return { form: error.message };
  return apiErrors(error);
}

export function useForm(initial: FormErrors = {}) {
  const [errors, setErrors] = useState<FormErrors>(initial);
  const [pending, setPending] = useState(false);

  /** The input as the schema parses it, or null after showing each field's first issue. */
  function check<T>(schema: ZodType<T>, input: unknown, field?: string): T | null {
    const checked = schema.safeParse(input);
    if (checked.success) return checked.data;
    setErrors(issueErrors(checked.error.issues, field));
    return null;
  }

  /**
   * Runs `work` with the form pending and its errors cleared; what it throws becomes the errors, through
   * `errorsOf` (a null answer leaves them empty). True when it worked. `keepPending` (or its answer, asked when
   * the work is done): the work ends by
   * leaving the page or closing the form, so the button stays disabled until then.
   */
  async function submit(
    work: () => Promise<unknown>,
    { errorsOf = apiErrors, keepPending = false }: { errorsOf?: (error: unknown) => FormErrors | null; keepPending?: boolean | (() => boolean) } = {},
  ): Promise<boolean> {
    setPending(true);
    setErrors({});
    try {
      await work();
      if (!(typeof keepPending === "function" ? keepPending() : keepPending)) setPending(false);
      return true;
    } catch (error) {
      setErrors(errorsOf(error) ?? {});
      setPending(false);
      return false;
    }
  }

  /** Shows one message, the form's or a field's. */
  const fail = (message: string, field = "form") => setErrors({ [field]: message });

  return { errors, setErrors, pending, check, submit, fail };
}
