import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="placeholder">
      <h1>Not found</h1>
      <p>There is no such page or session. <Link href="/">Back to the scenarios</Link>.</p>
    </div>
  );
}
