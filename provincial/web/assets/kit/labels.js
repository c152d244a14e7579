// The kit's labels: every code a clerk reads, as the node's core names it
// (GET /console/labels; provincial/core/labels.h). Loaded once before the
// first screen; the tables below are filled in place.
import { el } from './dom.js';
import { FIELD_LABELS } from './fields.js';

export const STATES = {}; // teacher record states: draft → 草稿
export const STEPS = {}; // review steps: school_approval → 学校审核
export const ROLES = {}; // USER_ROLE_SYSADMIN → 系统管理员
export const LEVELS = {}; // unit levels: 1 → 省级
export const CASE_KINDS = {}; // CAREER_TRANSFER → 调动

export async function loadLabels() {
  const res = await fetch('/console/labels', { credentials: 'same-origin' });
  if (!res.ok) throw new Error('无法载入系统标签（HTTP ' + res.status + '）');
  const all = await res.json();
  Object.assign(STATES, all.states);
  Object.assign(STEPS, all.steps);
  Object.assign(ROLES, all.roles);
  Object.assign(LEVELS, all.levels);
  Object.assign(CASE_KINDS, all.case_kinds);
  Object.assign(FIELD_LABELS, all.fields);
}

export function stateBadge(state) {
  return el('span', { class: 'badge ' + state }, STATES[state] || state);
}
