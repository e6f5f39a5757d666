/** Display formatting shared by the views. */

// Figures are written by src-shared/units.ts, the same as in the CLI and the reports.
export { formatBytes, formatBytesPerSecond, formatCount, formatDateTime, formatDuration, formatRate } from '../src-shared/units.js';

/** Creates an element with a class and text. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}
