// A small YAML highlighter for profiles: one line at a time, into text nodes inside spans
// (classes y-key, y-str, y-num, y-lit, y-punct, y-com). It colours; it does not parse: a line it
// does not understand is shown as plain text, never dropped.
import { h } from './dom.js';

// Tokens of a value: quoted strings, flow punctuation, "key:" inside flow maps, plain scalars.
const TOKEN = /("(?:[^"\\]|\\.)*"?|'(?:[^']|'')*'?|[{}[\],]|[^\s{}[\],:"'#][^{}[\],:]*?:(?=\s|$)|\s+#.*$|[^{}[\],]+)/g;

function scalarClass(t) {
  const s = t.trim();
  if (/^(true|false|null|~|yes|no)$/i.test(s)) return 'y-lit';
  if (/^[-+]?(\d[\d_]*(\.\d*)?([eE][-+]?\d+)?|0x[0-9a-fA-F]+|\.inf|\.nan)$/.test(s)) return 'y-num';
  return 'y-str';
}

function value(text, out) {
  if (/^\s*[|>][-+0-9]*\s*$/.test(text)) return out.push(h('span', { class: 'y-punct' }, text));
  for (const m of text.matchAll(TOKEN)) {
    const t = m[0];
    if (/^\s+#/.test(t)) out.push(h('span', { class: 'y-com' }, t));
    else if (t[0] === '"' || t[0] === "'") out.push(h('span', { class: 'y-str' }, t));
    else if (/^[{}[\],]$/.test(t)) out.push(h('span', { class: 'y-punct' }, t));
    else if (/:$/.test(t)) out.push(h('span', { class: 'y-key' }, t));
    else if (/^\s+$/.test(t)) out.push(t);
    else out.push(h('span', { class: scalarClass(t) }, t));
  }
  return out;
}

export function highlightLine(line) {
  const out = [];
  const com = /^(\s*)(#.*)$/.exec(line);
  if (com) return [com[1], h('span', { class: 'y-com' }, com[2])];
  if (/^(---|\.\.\.)\s*$/.test(line)) return [h('span', { class: 'y-punct' }, line)];
  // indent, list markers, "key:" and the rest
  const m = /^(\s*)((?:-\s+)*)(?:((?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"{[][^:#]*?)):(?=\s|$))?(.*)$/.exec(line);
  if (!m) return [line];
  out.push(m[1]);
  if (m[2]) out.push(h('span', { class: 'y-punct' }, m[2]));
  if (m[3] !== undefined) out.push(h('span', { class: 'y-key' }, m[3]), h('span', { class: 'y-punct' }, ':'));
  if (m[4]) value(m[4], out);
  return out;
}

// A <pre> with one numbered line per YAML line: the first SHOWN lines highlighted, the rest
// (a profile may be up to 4 MiB) behind a button, added as plain lines.
const SHOWN = 2000;

export function yamlBlock(text) {
  const lines = String(text || '').replace(/\n$/, '').split('\n');
  const code = h('code');
  lines.slice(0, SHOWN).forEach((line) => code.appendChild(h('span', { class: 'line' }, highlightLine(line))));
  const pre = h('pre', { class: 'yaml' }, code);
  if (lines.length <= SHOWN) return pre;
  const more = h('button', { type: 'button', class: 'more' }, 'show the other ' + (lines.length - SHOWN) + ' lines');
  more.addEventListener('click', () => {
    for (const line of lines.slice(SHOWN)) code.appendChild(h('span', { class: 'line' }, line));
    more.hidden = true;
  });
  return h('div', null, pre, more);
}
