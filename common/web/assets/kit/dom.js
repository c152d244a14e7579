// The kit's DOM helpers: elements built from data (text only ever as
// textContent, never parsed as HTML), the main area, errors, buttons that
// act once, dates as clerks read them.
import { ApiError, CODE_MESSAGES } from './api.js';
import { humanize } from './fields.js';

export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'onclick' || k === 'onsubmit' || k === 'onchange') e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else if (v !== false && v !== undefined && v !== null) e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// Runs a step once however often it is clicked: the button stays disabled
// until the answer is in.
export async function once(button, fn) {
  if (button.disabled) return;
  button.disabled = true;
  try {
    await fn();
  } finally {
    button.disabled = false;
  }
}

export function errorBox(err) {
  // The node's message says what happened, in Chinese; only a node that
  // cannot answer at all gets a word of ours in front.
  const text =
    err instanceof ApiError
      ? (err.code === 'unavailable' ? CODE_MESSAGES.unavailable + '：' : '') + humanize(err.message)
      : humanize(String(err));
  return el('div', { class: 'error', role: 'alert' }, text);
}

export function setMain(...children) {
  const main = document.getElementById('main');
  main.replaceChildren(...children.filter((c) => c !== null && c !== undefined));
}

export function when(unix) {
  return unix && unix !== '0'
    ? new Date(Number(unix) * 1000).toLocaleString('zh-CN', { hour12: false })
    : '';
}

export function todayText() {
  const d = new Date(Date.now() + 8 * 3600 * 1000); // China Standard Time
  return d.toISOString().slice(0, 10);
}

// A button for a step that cannot be taken back (停用, 删除): the first
// click asks again in its own text (`ask`), a second within 5 s does it.
export function confirmButton(label, ask, fn, attrs) {
  const b = el('button', { type: 'button', class: 'danger', ...(attrs || {}) }, label);
  let armed = false;
  b.addEventListener('click', () => {
    if (!armed) {
      armed = true;
      b.textContent = ask;
      setTimeout(() => {
        armed = false;
        b.textContent = label;
      }, 5000);
      return;
    }
    armed = false;
    b.textContent = label;
    once(b, fn);
  });
  return b;
}
