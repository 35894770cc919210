'use client';

/**
 * The learner's terminal: @xterm/xterm 6 + the fit addon over the terminal WebSocket
 * (protocol: lib/terminal/protocol.ts, docs/api.md "Terminal WebSocket").
 *
 * - output arrives as binary frames and is written as bytes (xterm decodes UTF-8 as a stream,
 *   so a character split across frames survives); each frame is acknowledged once xterm has
 *   parsed it, in batches, which is what lets the server pause a flood;
 * - the size follows the element (ResizeObserver -> fit -> a resize message);
 * - the connection state is always visible; dropped connections come back with backoff and the
 *   server replays recent output into a reset terminal, so a reload finds the same shell;
 * - copy: selecting copies, and Ctrl+Shift+C; paste: Ctrl+Shift+V or the browser's paste
 *   (Ctrl+V stays bash's quoted-insert, as in a desktop terminal);
 * - the terminal keeps Tab for bash completion, so Ctrl+Shift+L leaves it (`onLeave`, else the
 *   next focusable element after it): no keyboard trap.
 * - the host element (data-testid="terminal") carries data-cols/data-rows and, for tests and
 *   debugging, `sickbayText()` (the whole buffer as text).
 */
import '@xterm/xterm/css/xterm.css';
import type { FitAddon } from '@xterm/addon-fit';
import type { Terminal as XTerm } from '@xterm/xterm';
import { useCallback, useEffect, useRef, useState } from 'react';
import { CLOSE, encodeClientMessage, parseServerMessage, splitInput, terminalUrlPath } from '@/lib/terminal/protocol';
import { exposeBufferText } from './bufferText';
import styles from './terminal.module.css';

export type ConnectionState =
  | 'connecting'
  | 'connected'
  /** A team member who is not driving: the driver's terminal, read-only (issue #14). */
  | 'mirror'
  | 'reconnecting'
  | 'replaced'
  | 'idle'
  | 'exited'
  | 'ended'
  | 'error'
  | 'offline';

const LABELS: Record<ConnectionState, string> = {
  connecting: 'connecting…',
  connected: 'connected',
  mirror: 'watching the driver (read-only)',
  reconnecting: 'reconnecting…',
  replaced: 'open in another tab',
  idle: 'disconnected (idle)',
  exited: 'shell exited',
  ended: 'session ended',
  error: 'disconnected (error)',
  offline: 'not connected',
};

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 10000];
const PING_EVERY_MS = 20_000;
const PONG_TIMEOUT_MS = 10_000;
const ACK_FLUSH_MS = 50;

export interface TerminalProps {
  sessionId: string;
  /** The session's terminal token (from the session page, rendered on the server). */
  token: string;
  /** Connect only while true (the session is ready). */
  active: boolean;
  className?: string;
  onStateChange?: (state: ConnectionState) => void;
  /** Ctrl+Shift+L inside the terminal: move the focus out (Tab stays bash completion). */
  onLeave?: () => void;
}

/** The first focusable element after `el` in document order (for leaving the terminal). */
function focusAfter(el: HTMLElement) {
  const all = Array.from(document.querySelectorAll<HTMLElement>('a[href], button:not([disabled]), input:not([disabled]), select, textarea, [tabindex]:not([tabindex="-1"])'));
  const next = all.find((c) => !el.contains(c) && el.compareDocumentPosition(c) & Node.DOCUMENT_POSITION_FOLLOWING && c.offsetParent !== null);
  next?.focus();
}

export function Terminal({ sessionId, token, active, className, onStateChange, onLeave }: TerminalProps) {
  const hostRef = useRef<HTMLDivElement>(null);
  const frameRef = useRef<HTMLDivElement>(null);
  const termRef = useRef<XTerm | null>(null);
  const fitRef = useRef<FitAddon | null>(null);
  const wsRef = useRef<WebSocket | null>(null);
  const [state, setState] = useState<ConnectionState>('offline');
  const [detail, setDetail] = useState<string | null>(null);
  const [ready, setReady] = useState(false);
  const [generation, setGeneration] = useState(0);
  const onStateRef = useRef(onStateChange);
  const onLeaveRef = useRef(onLeave);
  useEffect(() => {
    onStateRef.current = onStateChange;
    onLeaveRef.current = onLeave;
  }, [onStateChange, onLeave]);

  const report = useCallback((s: ConnectionState, d: string | null = null) => {
    setState(s);
    setDetail(d);
    onStateRef.current?.(s);
  }, []);

  // The xterm instance lives as long as the component; connections come and go.
  useEffect(() => {
    let disposed = false;
    let observer: ResizeObserver | null = null;
    let fitTimer: ReturnType<typeof setTimeout> | null = null;
    void (async () => {
      const [{ Terminal: XTermCtor }, { FitAddon: FitCtor }] = await Promise.all([import('@xterm/xterm'), import('@xterm/addon-fit')]);
      const host = hostRef.current;
      if (disposed || !host) return;
      const term = new XTermCtor({
        cursorBlink: true,
        fontFamily: "ui-monospace, 'SFMono-Regular', Menlo, Consolas, 'DejaVu Sans Mono', monospace",
        fontSize: 14,
        scrollback: 5000,
        allowProposedApi: false,
        theme: { background: '#0b0f14', foreground: '#e6edf3', cursor: '#4fb3a9', selectionBackground: '#2d7f7880' },
      });
      const fit = new FitCtor();
      term.loadAddon(fit);
      term.open(host);
      const showSize = () => {
        host.dataset.cols = String(term.cols);
        host.dataset.rows = String(term.rows);
      };
      term.onResize(showSize);
      fit.fit();
      showSize();
      term.attachCustomKeyEventHandler((ev) => {
        if (ev.type !== 'keydown' || !ev.ctrlKey || !ev.shiftKey) return true;
        if (ev.code === 'KeyL') {
          ev.preventDefault();
          term.blur();
          if (onLeaveRef.current) onLeaveRef.current();
          else if (frameRef.current) focusAfter(frameRef.current);
          return false;
        }
        if (ev.code === 'KeyC') {
          if (term.hasSelection()) void navigator.clipboard?.writeText(term.getSelection()).catch(() => {});
          return false;
        }
        if (ev.code === 'KeyV') return false; // let the browser paste (xterm handles the paste event)
        return true;
      });
      term.onSelectionChange(() => {
        if (term.hasSelection()) void navigator.clipboard?.writeText(term.getSelection()).catch(() => {});
      });
      exposeBufferText(host, term);
      observer = new ResizeObserver(() => {
        if (fitTimer) clearTimeout(fitTimer);
        fitTimer = setTimeout(() => {
          try {
            fit.fit();
          } catch {
            /* not visible right now */
          }
        }, 60);
      });
      observer.observe(host);
      termRef.current = term;
      fitRef.current = fit;
      setReady(true);
    })();
    return () => {
      disposed = true;
      observer?.disconnect();
      if (fitTimer) clearTimeout(fitTimer);
      termRef.current?.dispose();
      termRef.current = null;
      fitRef.current = null;
      setReady(false);
    };
  }, []);

  // One connection (with reconnects) per activation; `generation` forces a fresh start.
  useEffect(() => {
    const term = termRef.current;
    if (!ready || !term) return;
    if (!active) {
      report('offline');
      return;
    }
    let stopped = false;
    let attempt = 0;
    let retryTimer: ReturnType<typeof setTimeout> | null = null;
    let ackTimer: ReturnType<typeof setTimeout> | null = null;
    let pingTimer: ReturnType<typeof setInterval> | null = null;
    let lastHeard = Date.now();
    let ackEvery = 16 * 1024;
    let pendingAck = 0;
    let attached = false;
    let ws: WebSocket | null = null;

    const send = (text: string) => {
      if (ws && ws.readyState === WebSocket.OPEN) ws.send(text);
    };
    const flushAck = () => {
      if (ackTimer) clearTimeout(ackTimer);
      ackTimer = null;
      if (pendingAck > 0) send(encodeClientMessage({ type: 'ack', bytes: pendingAck }));
      pendingAck = 0;
    };
    const acknowledge = (bytes: number) => {
      pendingAck += bytes;
      if (pendingAck >= ackEvery) flushAck();
      else if (!ackTimer) ackTimer = setTimeout(flushAck, ACK_FLUSH_MS);
    };

    const dataSub = term.onData((data) => {
      if (!attached) return;
      for (const part of splitInput(data)) send(encodeClientMessage({ type: 'input', data: part }));
    });
    const resizeSub = term.onResize(({ cols, rows }) => {
      if (attached) send(encodeClientMessage({ type: 'resize', cols, rows }));
    });

    const scheduleRetry = (why: string) => {
      if (stopped) return;
      const wait = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)] as number;
      attempt += 1;
      report('reconnecting', `${why}; retrying in ${Math.round(wait / 100) / 10} s`);
      retryTimer = setTimeout(connect, wait);
    };

    function connect() {
      if (stopped || !term) return;
      try {
        fitRef.current?.fit();
      } catch {
        /* hidden */
      }
      report(attempt === 0 ? 'connecting' : 'reconnecting');
      const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
      const socket = new WebSocket(`${scheme}://${window.location.host}${terminalUrlPath(sessionId, token, { cols: term.cols, rows: term.rows })}`);
      socket.binaryType = 'arraybuffer';
      ws = socket;
      wsRef.current = socket;
      attached = false;
      pendingAck = 0;

      socket.onmessage = (ev: MessageEvent<ArrayBuffer | string>) => {
        lastHeard = Date.now();
        if (typeof ev.data !== 'string') {
          const bytes = new Uint8Array(ev.data);
          term.write(bytes, () => acknowledge(bytes.length));
          return;
        }
        const m = parseServerMessage(ev.data);
        if (!m) return;
        if (m.type === 'attached') {
          // In a team session a handover greets the connection again: as the input (the new
          // driver) or as a mirror (everyone else), which sends no input at all.
          attached = m.mirror !== true;
          attempt = 0;
          ackEvery = m.ackEvery;
          // The replay that follows repaints recent output; start from a clean screen.
          term.reset();
          if (!attached) return report('mirror', 'only the driver types; ask for the driver seat');
          if (m.cols !== term.cols || m.rows !== term.rows) send(encodeClientMessage({ type: 'resize', cols: term.cols, rows: term.rows }));
          report('connected', m.shell === 'new' ? 'new shell' : 'reattached');
          term.focus();
        } else if (m.type === 'refused') {
          report('mirror', m.message);
        } else if (m.type === 'exit') {
          report('exited', `the shell exited with code ${m.code}`);
        }
      };
      socket.onclose = (ev) => {
        if (ws !== socket) return;
        attached = false;
        flushAck();
        if (stopped) return;
        switch (ev.code) {
          case CLOSE.replaced:
            return report('replaced', 'this terminal was opened in another window');
          case CLOSE.idle:
            return report('idle', 'closed after a long time without input');
          case CLOSE.sessionEnded:
            return report('ended', 'the session ended');
          case CLOSE.shellExited:
            return report('exited', 'the shell exited');
          case CLOSE.policy:
          case CLOSE.unsupportedData:
          case CLOSE.tooBig:
            return report('error', ev.reason || `closed by the server (${ev.code})`);
          default:
            return scheduleRetry(ev.code === CLOSE.goingAway ? 'the server restarted' : 'connection lost');
        }
      };
      socket.onerror = () => {
        /* onclose follows and decides */
      };
    }

    pingTimer = setInterval(() => {
      if (!ws || ws.readyState !== WebSocket.OPEN) return;
      if (Date.now() - lastHeard > PING_EVERY_MS + PONG_TIMEOUT_MS) {
        ws.close(); // half-open: onclose reconnects
        return;
      }
      send(encodeClientMessage({ type: 'ping' }));
    }, PING_EVERY_MS);

    connect();
    return () => {
      stopped = true;
      dataSub.dispose();
      resizeSub.dispose();
      if (retryTimer) clearTimeout(retryTimer);
      if (ackTimer) clearTimeout(ackTimer);
      if (pingTimer) clearInterval(pingTimer);
      if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000);
      wsRef.current = null;
    };
  }, [ready, active, sessionId, token, generation, report]);

  const action =
    state === 'replaced'
      ? 'Use here'
      : state === 'idle' || state === 'error'
        ? 'Reconnect'
        : state === 'exited'
          ? 'Start a new shell'
          : null;

  return (
    <div ref={frameRef} className={`${styles.frame} ${className ?? ''}`} data-testid="terminal-frame">
      <div className={styles.bar}>
        <span className={`${styles.conn} ${styles[state] ?? ''}`} data-testid="terminal-state" data-state={state} title={detail ?? undefined} role="status">
          <span className={styles.dot} aria-hidden="true" /> {LABELS[state]}
        </span>
        {detail && state !== 'connected' && <span className={styles.detail}>{detail}</span>}
        {action && active && (
          <button className={`secondary ${styles.small}`} onClick={() => setGeneration((g) => g + 1)}>
            {action}
          </button>
        )}
        <span className={styles.hint}>
          copy: select · paste: <span className="kbd">Ctrl</span>+<span className="kbd">Shift</span>+<span className="kbd">V</span> · leave:{' '}
          <span className="kbd">Ctrl</span>+<span className="kbd">Shift</span>+<span className="kbd">L</span>
        </span>
      </div>
      {/* The padding and border live on .screen: the fit addon measures the host, which has none. */}
      <div className={`${styles.screen} ${active && state !== 'connected' ? styles.dim : ''}`} onClick={() => termRef.current?.focus()}>
        <div ref={hostRef} className={styles.host} data-testid="terminal" />
      </div>
    </div>
  );
}
