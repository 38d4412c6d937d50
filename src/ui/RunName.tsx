/**
 * A run's name in text: a swatch of its colour, then the name in the page's text colour. Run colours are chosen
 * to tell lines apart (Okabe–Ito), not to be read as text — its yellow on white is 1.3:1.
 */
export function RunName({ run }: { run: { name: string; color: string } | undefined }) {
  if (!run) return null;
  return (
    <span className="run-name">
      <span className="swatch" style={{ background: run.color }} aria-hidden /> {run.name}
    </span>
  );
}
