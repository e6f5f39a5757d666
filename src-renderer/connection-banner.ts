/** The banner shown while the connection to ShardScope is lost, with what the app does about it. */
import { el } from './format.js';

/** The banner element (under the top bar) and its states. */
export function connectionBanner(): { element: HTMLElement; lost: (reason: string) => void; retrying: (attempt: number, nextInMs: number, isServerUp: boolean) => void; back: () => void } {
  const element = el('div', 'connection-banner');
  element.id = 'connection-banner';
  element.setAttribute('role', 'alert');
  element.hidden = true;
  const text = el('span');
  const reload = el('button', undefined, 'Reload');
  reload.type = 'button';
  reload.hidden = true;
  reload.addEventListener('click', () => location.reload());
  element.append(text, reload);
  return {
    element,
    lost: (reason) => {
      element.hidden = false;
      element.dataset.state = 'lost';
      text.textContent = `Connection to ShardScope lost (${reason}): reconnecting… Figures shown are as of the loss.`;
    },
    retrying: (attempt, nextInMs, isServerUp) => {
      element.dataset.state = isServerUp ? 'refused' : 'lost';
      element.dataset.attempts = String(attempt);
      text.textContent = isServerUp
        ? 'ShardScope answers but refused this tab\'s session (it was restarted: a new `shardscope app` has a new token). Open the URL it printed; still retrying.'
        : `ShardScope cannot be reached: retrying in ${Math.round(nextInMs / 1000)} s (attempt ${attempt}).`;
    },
    back: () => {
      element.hidden = true;
      element.dataset.state = 'connected';
    },
  };
}
