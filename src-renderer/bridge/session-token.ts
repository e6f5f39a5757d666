/**
 * The web-mode session token as the page holds it: the printed URL carries it in the query
 * (`/?token=...`, answered by the page itself, optionally with a route: `/?token=...#/runs/<id>`);
 * the page moves it to sessionStorage (scoped to this exact origin, port included) and drops it from
 * the address bar, keeping the route. A tab opened without it asks the open tabs of this origin
 * (session-handoff.ts). See docs/web-mode-session.md.
 */
const STORAGE_KEY = 'shardscope.token';

/** The token of this tab's session, or null when the page was opened without one. */
export function takeSessionToken(): string | null {
  const query = new URLSearchParams(location.search);
  const handed = query.get('token');
  if (handed) {
    sessionStorage.setItem(STORAGE_KEY, handed);
    query.delete('token');
    const rest = query.toString();
    history.replaceState(null, '', location.pathname + (rest ? `?${rest}` : '') + location.hash);
  }
  return sessionStorage.getItem(STORAGE_KEY);
}

/** Keeps a token this tab obtained from another tab (session-handoff.ts). */
export function keepSessionToken(token: string): void {
  sessionStorage.setItem(STORAGE_KEY, token);
}
