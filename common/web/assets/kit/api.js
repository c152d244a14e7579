// The kit's API client: every call goes to the node's JSON API (the Connect
// protocol's unary form, POST /<service>/<Method>) with the CSRF token of
// the ntmis_csrf cookie; the session lives in an HttpOnly cookie no script
// sees. An expired session signs the user out (kit/session.js).
import { signedOut } from './session.js';

// Calls go to this node's provincial API; a second console sets its own.
export let API_PREFIX = '/ntmis.v1.ProvincialApi/';
export function setApiPrefix(prefix) {
  API_PREFIX = prefix;
}

export const CODE_MESSAGES = {
  unauthenticated: '登录已失效，请重新登录',
  permission_denied: '没有权限',
  resource_exhausted: '操作过于频繁，请稍后再试',
  unavailable: '系统繁忙，请稍后重试',
};

export function csrf() {
  const m = document.cookie.match(/(?:^|;\s*)ntmis_csrf=([0-9a-f]+)/);
  return m ? m[1] : '';
}

export class ApiError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

export async function call(method, body) {
  const res = await fetch(API_PREFIX + method, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf() },
    body: JSON.stringify(body || {}),
  });
  let data = {};
  try {
    data = await res.json();
  } catch (e) {
    data = { code: 'unknown', message: '服务器没有给出可读的回答' };
  }
  if (!res.ok) {
    if (data.code === 'unauthenticated' && method !== 'Login')
      signedOut(data.message || CODE_MESSAGES.unauthenticated);
    throw new ApiError(data.code, data.message || CODE_MESSAGES[data.code] || data.code);
  }
  return data;
}

export async function upload(params, file) {
  const query = new URLSearchParams(params).toString();
  return fetch('/console/import?' + query, {
    method: 'POST',
    credentials: 'same-origin',
    headers: {
      'Content-Type': 'application/octet-stream',
      'X-CSRF-Token': csrf(),
    },
    body: file,
  });
}
