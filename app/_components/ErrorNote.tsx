/**
 * What went wrong with a form or an action, announced to screen readers (role="alert"); nothing
 * while there is no error. `block` renders a paragraph instead of an inline note.
 */
export function ErrorNote({ error, block = false }: { error: string | null | undefined; block?: boolean }) {
  if (!error) return null;
  return block ? (
    <p className="error" role="alert">
      {error}
    </p>
  ) : (
    <span className="error" role="alert">
      {error}
    </span>
  );
}
