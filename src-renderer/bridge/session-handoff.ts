/**
 * Hands the web-mode session to a new tab of the same origin (a deep link `#/runs/<id>` pasted into a
 * new tab): the new tab asks on a BroadcastChannel, a connected tab answers with its token. A
 * BroadcastChannel reaches only browsing contexts of this exact origin (scheme, host and port) in this
 * browser profile, which our server fills only with our own bundle; another 127.0.0.1 port, a
 * rebinding host name or a cross-site frame never hears it. Nothing is written to disk (no
 * localStorage). The reasoning is in docs/web-mode-session.md.
 */
const CHANNEL_NAME = 'shardscope.session';

type HandoffMessage = { type: 'ask'; nonce: string } | { type: 'answer'; nonce: string; token: string };

/** Answers the session requests of new tabs while this (connected) tab is open; returns a function that stops. */
export function shareSessionWithNewTabs(token: string): () => void {
  const channel = new BroadcastChannel(CHANNEL_NAME);
  channel.onmessage = (event: MessageEvent<HandoffMessage>) => {
    if (event.data?.type === 'ask' && typeof event.data.nonce === 'string') channel.postMessage({ type: 'answer', nonce: event.data.nonce, token });
  };
  return () => channel.close();
}

/** Asks the open tabs of this origin for the session; null when none answers within `timeoutMs`. */
export function askOpenTabsForSession(timeoutMs = 1500): Promise<string | null> {
  if (typeof BroadcastChannel === 'undefined') return Promise.resolve(null);
  const channel = new BroadcastChannel(CHANNEL_NAME);
  const nonce = crypto.randomUUID();
  return new Promise((resolve) => {
    const done = (token: string | null) => {
      clearTimeout(timer);
      channel.close();
      resolve(token);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    channel.onmessage = (event: MessageEvent<HandoffMessage>) => {
      const data = event.data;
      if (data?.type === 'answer' && data.nonce === nonce && typeof data.token === 'string' && data.token) done(data.token);
    };
    channel.postMessage({ type: 'ask', nonce });
  });
}
