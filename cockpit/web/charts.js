// Charts drawn with uPlot (vendored from npm by mk/cockpit.mk and embedded in the binary; the
// global uPlot comes from /uPlot.iife.min.js). uPlot draws on a canvas and sets sizes through
// the CSSOM, which the page's strict Content-Security-Policy allows. Times are UTC, as in the
// tables.
import { h } from './dom.js';

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

function theme() {
  return {
    text: css('--dim') || '#8a96a3', grid: css('--line') || '#26303b', accent: css('--accent') || '#4fb3ff',
    high: css('--sev-high') || '#e5534b', mid: css('--sev-mid') || '#e0a030', low: css('--sev-low') || '#5fae6e',
  };
}

function axis(t, extra) {
  return Object.assign({ stroke: t.text, grid: { stroke: t.grid, width: 1 }, ticks: { stroke: t.grid, width: 1 },
    font: '11px system-ui, sans-serif' }, extra);
}

const utc = (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC');

// Time axis labels in UTC, 24-hour: seconds when ticks are seconds apart, dates when days.
function timeTicks(u, splits, axisIdx, space, incr) {
  return splits.map((v) => {
    const iso = new Date(v * 1e3).toISOString();
    if (incr >= 86400) return iso.slice(5, 10);
    if (incr >= 60) return iso.slice(11, 16);
    return iso.slice(11, 19);
  });
}

// A chart in a box that follows its width. Returns { node, destroy() }.
function mount(cls, label, make) {
  const box = h('div', { class: 'chart ' + cls, role: 'img', ariaLabel: label });
  let plot = null;
  let ro = null;
  const start = () => {
    const w = Math.max(300, box.clientWidth || 800);
    plot = make(w, box);
    ro = new ResizeObserver(() => {
      const nw = Math.max(300, box.clientWidth);
      if (plot && Math.abs(nw - plot.width) > 4) plot.setSize({ width: nw, height: plot.height });
    });
    ro.observe(box);
  };
  // The box has its width only once it is in the document.
  requestAnimationFrame(() => { if (box.isConnected) start(); });
  return {
    node: box,
    destroy() {
      if (ro) ro.disconnect();
      if (plot) plot.destroy();
      plot = null;
    },
    get plot() { return plot; },
  };
}

if (typeof window !== 'undefined' && !window.uPlot) console.error('vigil: uPlot did not load');

// Alert counts per time bucket, stacked by severity when the API splits them.
// points: [{t: ms, count, high?, mid?, low?}], bucketS: the bucket width in seconds;
// onPick(startMs, endMs) is called with the bucket a click lands on.
export function alertRate(points, bucketS, onPick) {
  const t = theme();
  const x = points.map((p) => Math.floor(p.t / 1e3));
  const split = points.some((p) => p.high !== undefined || p.mid !== undefined || p.low !== undefined);
  const raw = split
    ? [points.map((p) => Number(p.high || 0)), points.map((p) => Number(p.mid || 0)), points.map((p) => Number(p.low || 0))]
    : [points.map((p) => Number(p.count || 0))];
  // Stacked bars, low at the bottom and high on top: each series is drawn over the previous
  // one, so the running totals are drawn tallest first (high's is the whole bar); the legend
  // shows each series' own count, and the time's entry the bucket's total.
  const cum = raw.map((_, i) => raw.slice(i).reduce((acc, s) => acc.map((v, j) => v + s[j]), x.map(() => 0)));
  const names = split ? ['high', 'medium', 'low'] : ['alerts'];
  const colors = split ? [t.high, t.mid, t.low] : [t.high];
  const bars = uPlot.paths.bars({ size: [0.8, 40], gap: 1 });
  const series = [{ label: 'time', value: (u, v, si, di) => (v == null || di == null ? ''
    : new Date(v * 1e3).toISOString().slice(0, 16).replace('T', ' ') + 'Z · ' + cum[0][di] + (cum[0][di] === 1 ? ' alert' : ' alerts')) }];
  const data = [x];
  raw.forEach((own, i) => {
    series.push({ label: names[i], fill: colors[i] + 'cc', stroke: colors[i], width: 0, paths: bars,
      points: { show: false }, value: (u, v, si, di) => (di == null ? '' : String(own[di])) });
    data.push(cum[i]);
  });
  const total = raw.reduce((acc, s) => acc + s.reduce((a, b) => a + b, 0), 0);
  return mount('alert-rate', 'alerts over time: ' + total + ' alerts in ' + points.length + ' buckets of ' + bucketS + ' s',
    (w, box) => new uPlot({
      width: w, height: 170, tzDate: utc, legend: { live: true },
      cursor: { points: { show: false }, drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (u, lo, hi) => [0, Math.max(1, hi * 1.1)] } },
      axes: [axis(t, { values: timeTicks }), axis(t, { size: 44, values: (u, vals) => vals.map((v) => (Number.isInteger(v) ? String(v) : '')) })],
      series,
      hooks: { ready: [(u) => u.over.addEventListener('click', () => {
        const i = u.cursor.idx;
        if (onPick && i !== null && i !== undefined && raw.some((s) => s[i] > 0)) onPick(x[i] * 1e3, (x[i] + bucketS) * 1e3);
      })] },
    }, data, box));
}

// One incident's timeline: events per bucket as bars, its alerts as points at their severity.
// events: [{ms, kind}], alerts: [{ms, severity, rule}], span: [startMs, endMs].
export function incidentTimeline(events, alerts, span) {
  const t = theme();
  let [start, end] = span;
  const all = events.map((e) => e.ms).concat(alerts.map((a) => a.ms)).filter((v) => v > 0);
  if (all.length) {
    start = Math.min(start || Infinity, ...all);
    end = Math.max(end || 0, ...all);
  }
  if (!start || !end || end <= start) end = (start || Date.now()) + 60e3;
  if (!start) start = end - 60e3;
  const n = 80;
  const width = Math.max(1, Math.ceil((end - start) / n)); // ms per bucket
  const x = [];
  for (let i = 0; i <= n; i++) x.push((start + i * width) / 1e3);
  const counts = x.map(() => 0);
  const at = (ms) => Math.min(n, Math.max(0, Math.floor((ms - start) / width)));
  for (const e of events) if (e.ms) counts[at(e.ms)]++;
  const cls = [[], [], []]; // high, mid, low: the highest severity of that class in a bucket
  for (const c of cls) for (let i = 0; i <= n; i++) c.push(null);
  for (const a of alerts) {
    if (!a.ms) continue;
    const i = at(a.ms);
    const s = Number(a.severity || 0);
    const k = s >= 8 ? 0 : s >= 4 ? 1 : 2;
    cls[k][i] = Math.max(cls[k][i] || 0, s);
  }
  const bars = uPlot.paths.bars({ size: [0.9, 30], gap: 0 });
  const pt = (color) => ({ show: true, size: 11, width: 2, stroke: '#0f1419', fill: color });
  const label = events.length + ' events and ' + alerts.length + ' alerts over ' + Math.round((end - start) / 1e3) + ' s';
  return mount('timeline', 'incident timeline: ' + label, (w, box) => new uPlot({
    width: w, height: 190, tzDate: utc,
    cursor: { points: { show: false }, drag: { x: true, y: false } },
    scales: { x: { time: true }, ev: { range: (u, lo, hi) => [0, Math.max(1, hi * 1.15)] }, sev: { range: [0, 10.5] } },
    axes: [axis(t, { values: timeTicks }), axis(t, { scale: 'ev', size: 44, label: 'events', labelSize: 16,
      values: (u, vals) => vals.map((v) => (Number.isInteger(v) ? String(v) : '')) }),
    axis(t, { scale: 'sev', side: 1, size: 36, label: 'severity', labelSize: 16, grid: { show: false } })],
    series: [
      { label: 'time', value: (u, v) => (v == null ? '' : new Date(v * 1e3).toISOString().slice(11, 19) + 'Z') },
      { label: 'events', scale: 'ev', fill: t.accent + '55', stroke: t.accent, width: 1, paths: bars, points: { show: false } },
      { label: 'high', scale: 'sev', paths: () => null, points: pt(t.high), stroke: t.high },
      { label: 'medium', scale: 'sev', paths: () => null, points: pt(t.mid), stroke: t.mid },
      { label: 'low', scale: 'sev', paths: () => null, points: pt(t.low), stroke: t.low },
    ],
  }, [x, counts, cls[0], cls[1], cls[2]], box));
}
