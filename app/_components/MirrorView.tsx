'use client';

import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import { parseServerMessage, terminalUrlPath } from '@/lib/terminal/protocol';
import { api } from '@/app/_lib/api';
import { exposeBufferText } from './bufferText';
import styles from './terminal.module.css';

type State = 'connecting' | 'live' | 'closed';

/**
 * A watcher's read-only view of a learner's terminal (an interviewer's, a facilitator's): the
 * session's mirror WebSocket into an xterm that takes no keyboard input. The mirror has no
 * input path on the server either; this sends nothing at all.
 */
export function MirrorView({ sessionId }: { sessionId: string }) {
  const hostRef = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<State>('connecting');
  const [detail, setDetail] = useState<string | null>(null);

  useEffect(() => {
    let disposed = false;
    let ws: WebSocket | null = null;
    let dispose: (() => void) | null = null;
    void (async () => {
      try {
        const [{ Terminal: XTermCtor }, mirror] = await Promise.all([import('@xterm/xterm'), api<{ token: string }>(`/api/sessions/${sessionId}/mirror`)]);
        const host = hostRef.current;
        if (disposed || !host) return;
        const term = new XTermCtor({ disableStdin: true, cursorBlink: false, fontSize: 14, scrollback: 5000, theme: { background: '#0b0f14', foreground: '#e6edf3' } });
        term.open(host);
        dispose = () => term.dispose();
        exposeBufferText(host, term);
        const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
        ws = new WebSocket(`${proto}//${window.location.host}${terminalUrlPath(sessionId, mirror.token, undefined, { mirror: true })}`);
        ws.binaryType = 'arraybuffer';
        ws.onmessage = (ev) => {
          if (ev.data instanceof ArrayBuffer) {
            term.write(new Uint8Array(ev.data));
            return;
          }
          const msg = parseServerMessage(String(ev.data));
          if (msg?.type === 'attached') {
            term.resize(msg.cols, msg.rows);
            setState('live');
          } else if (msg?.type === 'size') term.resize(msg.cols, msg.rows);
        };
        ws.onclose = (ev) => {
          setState('closed');
          setDetail(ev.reason || null);
        };
      } catch (err) {
        setState('closed');
        setDetail((err as Error).message);
      }
    })();
    return () => {
      disposed = true;
      ws?.close();
      dispose?.();
    };
  }, [sessionId]);

  return (
    <div className={styles.frame} data-testid="mirror-frame">
      <div className={styles.bar}>
        <span role="status" data-testid="mirror-state" data-state={state}>
          {state === 'live' ? 'live mirror (read-only)' : state === 'connecting' ? 'connecting to the mirror…' : `mirror closed${detail ? `: ${detail}` : ''}`}
        </span>
      </div>
      <div className={styles.screen}>
        <div className={styles.host} ref={hostRef} data-testid="mirror" />
      </div>
    </div>
  );
}
