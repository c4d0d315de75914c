"use client";
import Link from "next/link";
import { useEffect } from "react";

/** A page that failed to render: said plainly, in the site's layout, with a retry. */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <section className="card narrow" role="alert">
      <p className="muted small-print">Something went wrong</p>
      <h1>This page could not be shown</h1>
      <p className="muted">
        An unexpected error stopped it. Trying again usually works; if it does not, go back to the{" "}
        <Link href="/">home page</Link>.
      </p>
      {error.digest && (
        <p className="muted small-print">
          Reference: <code>{error.digest}</code>
        </p>
      )}
      <div className="actions">
        <button type="button" className="button primary" onClick={reset}>
          Try again
        </button>
      </div>
    </section>
  );
}
