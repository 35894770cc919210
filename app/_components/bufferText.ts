import type { Terminal as XTerm } from '@xterm/xterm';

/**
 * For tests and debugging: exposes the terminal's whole buffer as text on its host element
 * (`host.sickbayText()`), for the learner's terminal and the watchers' mirror alike.
 */
export function exposeBufferText(host: HTMLElement, term: XTerm): void {
  Object.defineProperty(host, 'sickbayText', {
    configurable: true,
    value: () => {
      const b = term.buffer.active;
      const lines: string[] = [];
      for (let i = 0; i < b.length; i++) lines.push(b.getLine(i)?.translateToString(true) ?? '');
      return lines.join('\n');
    },
  });
}
