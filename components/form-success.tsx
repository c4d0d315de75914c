/**
 * What a form says when it worked: every form says it in this one style and in this one place, below
 * its submit button, where the eye is after pressing it. The live region is always there, so the
 * message is announced when it appears.
 */
export function FormSuccess({ message }: { message: string | null }) {
  return (
    <div className="form-success" aria-live="polite">
      {message && (
        <p className="notice success" role="status">
          {message}
        </p>
      )}
    </div>
  );
}
