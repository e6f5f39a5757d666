/**
 * The web-mode session token as the page holds it: the server hands it over in the URL fragment
 * (`#token=...`, never sent to a server), the page moves it to sessionStorage (scoped to this exact
 * origin, port included) and drops it from the address bar. See docs/web-mode-session.md.
 */
const STORAGE_KEY = 'shardscope.token';

/** The token of this tab's session, or null when the page was opened without one. */
export function takeSessionToken(): string | null {
  const fromFragment = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromFragment) {
    sessionStorage.setItem(STORAGE_KEY, fromFragment);
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem(STORAGE_KEY);
}
