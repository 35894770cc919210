'use client';

/**
 * The Customers chart: what the session's customers get, second by second since ready (success
 * rate and p95 latency, uPlot), the learner's actions as markers on the same time axis, the
 * error budget left and the emergency timeline's countdowns. It fetches the customers' seconds
 * itself (GET /api/sessions/:id/customers) and takes the events from the page, so the learner's
 * page and a watcher's view use it the same way. uPlot touches `window`: it is imported in an
 * effect, its stylesheet here.
 */
import 'uplot/dist/uPlot.min.css';
import { useEffect, useMemo, useRef, useState } from 'react';
import type uPlot from 'uplot';
import type { SessionEvent } from '@/lib/audit/events';
import { formatClock } from '@/lib/display/clock';
import { actionMarkers, budgetClocks, customerSeries, errorBudget, type ActionMarker } from '@/lib/display/customers';
import type { ServiceBucket } from '@/lib/scoring/impact';
import type { CustomerView } from '@/server/engine/customer-view';
import { api } from '@/app/_lib/api';

const POLL_MS = 2000;
const HEIGHT = 180;

/** Follows the customers' seconds: all at first, then only the new ones, while the session is live. */
function useCustomerSeconds(sessionId: string, live: boolean) {
  const [view, setView] = useState<CustomerView | null>(null);
  const [buckets, setBuckets] = useState<ServiceBucket[]>([]);
  const last = useRef<number | null>(null);
  useEffect(() => {
    let cancelled = false;
    const load = async () => {
      const since = last.current === null ? '' : `?since=${last.current + 1000}`;
      const next = await api<CustomerView>(`/api/sessions/${sessionId}/customers${since}`);
      if (cancelled) return;
      setView(next);
      if (next.buckets.length) {
        last.current = Math.max(last.current ?? Number.MIN_SAFE_INTEGER, ...next.buckets.map((b) => b.t));
        setBuckets((old) => {
          const byT = new Map(old.map((b) => [b.t, b]));
          for (const b of next.buckets) byT.set(b.t, b);
          return [...byT.values()].sort((a, b) => a.t - b.t);
        });
      }
    };
    void load().catch(() => {});
    if (!live) return () => void (cancelled = true);
    const timer = setInterval(() => void load().catch(() => {}), POLL_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [sessionId, live]);
  return { view, buckets };
}

/** Draws each marker as a thin vertical line across the plot. */
function markerPlugin(markers: { current: ActionMarker[] }): uPlot.Plugin {
  return {
    hooks: {
      draw: [
        (u) => {
          const { ctx, bbox } = u;
          ctx.save();
          ctx.strokeStyle = 'rgba(120, 90, 200, 0.75)';
          ctx.lineWidth = Math.max(1, window.devicePixelRatio);
          for (const m of markers.current) {
            const x = Math.round(u.valToPos(m.x, 'x', true));
            if (x < bbox.left || x > bbox.left + bbox.width) continue;
            ctx.beginPath();
            ctx.moveTo(x, bbox.top);
            ctx.lineTo(x, bbox.top + bbox.height);
            ctx.stroke();
          }
          ctx.restore();
        },
      ],
    },
  };
}

export function CustomerChart({
  sessionId,
  events,
  zero,
  live,
  elapsedMs,
  budgets,
}: {
  sessionId: string;
  events: SessionEvent[];
  /** The session clock's zero (ready), ms since creation; null while not ready. */
  zero: number | null;
  live: boolean;
  /** ms on the session clock now (or when the session ended). */
  elapsedMs: number;
  budgets: { name: string; budgetMs: number }[];
}) {
  const { view, buckets } = useCustomerSeconds(sessionId, live);
  const origin = zero ?? view?.readyAt ?? 0;
  const series = useMemo(() => customerSeries(buckets, origin), [buckets, origin]);
  const markers = useMemo(() => actionMarkers(events, origin), [events, origin]);
  const markerRef = useRef<ActionMarker[]>(markers);
  markerRef.current = markers;
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  // Made once; data and markers are pushed into it as they change.
  useEffect(() => {
    let disposed = false;
    let resize: ResizeObserver | null = null;
    void import('uplot').then(({ default: UPlot }) => {
      if (disposed || !box.current) return;
      const el = box.current;
      const width = () => Math.max(240, el.clientWidth || 320);
      const clock = (_u: uPlot, splits: number[]) => splits.map((v) => formatClock(v * 1000));
      plot.current = new UPlot(
        {
          width: width(),
          height: HEIGHT,
          scales: { x: { time: false }, pct: { range: [0, 100] }, ms: { range: (_u, _min, max) => [0, Math.max(100, max ?? 0) * 1.1] } },
          axes: [
            { values: clock },
            { scale: 'pct', values: (_u, splits) => splits.map((v) => `${v}%`), size: 44 },
            { scale: 'ms', side: 1, grid: { show: false }, values: (_u, splits) => splits.map((v) => `${v} ms`), size: 60 },
          ],
          series: [
            { label: 'time', value: (_u, v) => (v === null ? '-' : formatClock(v * 1000)) },
            { label: 'success', scale: 'pct', stroke: '#1f8a5b', width: 2, value: (_u, v) => (v === null ? '-' : `${v}%`) },
            { label: 'p95', scale: 'ms', stroke: '#c2410c', width: 1, value: (_u, v) => (v === null ? '-' : `${Math.round(v)} ms`) },
          ],
          plugins: [markerPlugin(markerRef)],
          legend: { show: true },
        },
        [[], [], []],
        el,
      );
      resize = new ResizeObserver(() => plot.current?.setSize({ width: width(), height: HEIGHT }));
      resize.observe(el);
    });
    return () => {
      disposed = true;
      resize?.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData([series.x, series.success, series.p95] as uPlot.AlignedData);
  }, [series, markers]);

  const standard = view?.servedNormally;
  const budget = standard ? errorBudget(buckets, origin, standard) : null;
  const clocks = budgetClocks(budgets, zero === null ? 0 : elapsedMs);

  return (
    <section aria-label="Customers" className="customer-chart" data-testid="customer-chart" data-seconds={series.x.length} data-markers={markers.length}>
      <h2>Customers</h2>
      {view?.target ? (
        <p className="small">
          The customers (the lab&rsquo;s own, out of your console&rsquo;s reach) call <code>{view.target.url}</code>
          {view.target.rps ? ` ${view.target.rps} times a second` : ''}. Served normally: at least {Math.round((standard?.successRate ?? 0) * 1000) / 10}% of a
          second&rsquo;s requests succeed with a p95 of at most {standard?.p95Ms} ms.
        </p>
      ) : (
        view && <p className="small">This scenario runs no customers: there is nothing to chart.</p>
      )}
      <div ref={box} className="customer-plot" role="img" aria-label={`Success rate and p95 latency over ${series.x.length} seconds since ready, with ${markers.length} of your actions marked`} />
      {budget && (
        <p className="small" data-testid="error-budget">
          Error budget: {budget.text}
        </p>
      )}
      <ul className="small budget-clocks" data-testid="budget-clocks">
        {clocks.map((c) => (
          <li key={c.name}>
            {formatClock(c.budgetMs)} {c.name}: <span className={c.leftMs > 0 ? '' : 'muted'}>{c.text}</span>
          </li>
        ))}
      </ul>
      <h3>Your actions on the chart</h3>
      <ol className="small customer-markers" data-testid="customer-markers">
        {markers.map((m) => (
          <li key={m.id}>
            <span className="mono">{formatClock(m.x * 1000)}</span> <code>{m.label}</code>
          </li>
        ))}
      </ol>
    </section>
  );
}
