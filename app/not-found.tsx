import Link from "next/link";

export const metadata = { title: "Page not found · Sign-in system" };

/** Any unknown address: the site's header and a way back, with status 404. */
export default function NotFound() {
  return (
    <section className="card narrow">
      <p className="muted small-print">Error 404</p>
      <h1>Page not found</h1>
      <p className="muted">There is nothing at this address. It may have moved, or the link may be mistyped.</p>
      <p>
        Go to the <Link href="/">home page</Link>, your <Link href="/profile">profile</Link> or the{" "}
        <Link href="/docs">API docs</Link>.
      </p>
    </section>
  );
}
