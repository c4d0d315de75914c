/** A page's placeholder while the sign-in is checked: announced once, shown as soft bars. */
export function PageLoading({ label }: { label: string }) {
  return (
    <div className="card" aria-busy="true">
      <p className="muted">{label}</p>
      <span className="skeleton" style={{ width: "60%" }} />
      <span className="skeleton" style={{ width: "80%" }} />
      <span className="skeleton" style={{ width: "40%" }} />
    </div>
  );
}
