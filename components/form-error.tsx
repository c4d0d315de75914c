/** What went wrong with a form as a whole, announced when it appears; nothing when all is well. */
export function FormError({ message }: { message?: string | null }) {
  if (!message) return null;
  return (
    <p className="form-error" role="alert">
      {message}
    </p>
  );
}
