"use client";
/**
 * The page a mailed link opens: verify an address, or confirm (mailed to the new address) or cancel
 * (mailed to the old one) an email change. Uses the link at once, once, and says how it went.
 */
import Link from "next/link";
import { Fragment, useEffect, useRef, useState } from "react";
import { ApiError, publicJson } from "@/lib/client/api";

type State = { status: "working" } | { status: "done"; message: string } | { status: "failed"; message: string };

const SIGN_IN = ["/login", "Sign in"] as const;

const pages = {
  verify: {
    title: "Email verification",
    path: "/api/v1/verify-email/",
    working: "Confirming your address…",
    /** What the page says when it worked; otherwise the server's message. */
    done: "Your email address is verified.",
    doneClassName: "notice",
    expired: "This link has expired, was already used, or was replaced by a newer one.",
    /** Said after any failure. */
    next: " Sign in and ask for a new link on your profile.",
    links: [["/profile", "Go to your profile"], SIGN_IN],
  },
  confirm: {
    title: "Confirm your new email address",
    path: "/api/v1/confirm-email-change/",
    working: "Confirming your new address…",
    done: null,
    doneClassName: "notice success",
    expired: "This link has expired, was already used, or was replaced by a newer change. Sign in and ask again from your settings.",
    next: "",
    links: [["/settings", "Go to your settings"], SIGN_IN],
  },
  cancel: {
    title: "Undo an email change",
    path: "/api/v1/cancel-email-change/",
    working: "Undoing the change and signing out every device…",
    done: null,
    doneClassName: "notice success",
    expired: "This link has expired or was already used. If you no longer get into your account, reset your password.",
    next: "",
    links: [["/settings", "Go to your settings"], SIGN_IN, ["/recover-password", "Reset your password"]],
  },
} as const;

export function MailedLinkPage({ kind, token }: { kind: keyof typeof pages; token: string | undefined }) {
  const page = pages[kind];
  const [state, setState] = useState<State>(
    token ? { status: "working" } : { status: "failed", message: "This link is incomplete: it carries no token." },
  );
  // Strict mode runs effects twice in development; the link must be used once.
  const sent = useRef(false);

  useEffect(() => {
    if (!token || sent.current) return;
    sent.current = true;
    publicJson<{ message?: string }>(page.path, { method: "POST", body: JSON.stringify({ token }) })
      .then((answer) => setState({ status: "done", message: page.done ?? answer.message ?? "" }))
      .catch((failure) =>
        setState({
          status: "failed",
          message:
            failure instanceof ApiError && failure.status === 400
              ? failure.message === "Inactive user"
                ? "This account is inactive."
                : page.expired
              : failure instanceof Error
                ? failure.message
                : "The request failed.",
        }),
      );
  }, [token, page]);

  return (
    <div className="card narrow">
      <h1>{page.title}</h1>
      {state.status === "working" && (
        <p className="muted" role="status">
          {page.working}
        </p>
      )}
      {state.status === "done" && (
        <p className={page.doneClassName} role="status">
          {state.message}
        </p>
      )}
      {state.status === "failed" && (
        <p className="form-error" role="alert">
          {state.message}
          {page.next}
        </p>
      )}
      <p className="muted small-print">
        {page.links.map(([href, text], i) => (
          <Fragment key={href}>
            {i > 0 && " · "}
            <Link href={href}>{text}</Link>
          </Fragment>
        ))}
      </p>
    </div>
  );
}
