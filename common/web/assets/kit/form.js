// The kit's forms: fields from the node's form catalog (codes with their
// official labels, dates, yes/no), who may write which field, and each
// rule the node reports placed next to its field.
import { ApiError, call } from './api.js';
import { el, errorBox } from './dom.js';
import { fieldProblem } from './fields.js';
import { me } from './session.js';

export let formCatalog = null;

export async function catalog() {
  if (!formCatalog) formCatalog = await call('GetFormCatalog', {});
  return formCatalog;
}

export function codeOptions(def) {
  return (def.codes || []).map((c) => {
    const i = c.indexOf('=');
    return [c.slice(0, i), c.slice(i + 1)];
  });
}

// The value as a clerk reads it: a code's label, 是/否.
export function shown(def, value) {
  if (value === undefined || value === '') return '';
  if (def.type === 'CODE') {
    const o = codeOptions(def).find(([c]) => c === value);
    return o ? o[1] : value;
  }
  if (def.type === 'BOOLEAN') return value === '1' ? '是' : '否';
  return value;
}

export function writable(category, def) {
  const role = me.user.role;
  if (role === 'USER_ROLE_QUERIER') return false;
  const w = def.writer && def.writer !== 'WRITER_UNSPECIFIED' ? def.writer : category.writer;
  if (w === 'WRITER_FIXED') return false;
  if (role === 'USER_ROLE_TEACHER' && (w === 'WRITER_STAFF' || category.administration_only))
    return false;
  return true;
}

export function fieldInput(id, def, value, enabled) {
  let input;
  if (def.type === 'CODE' || def.type === 'BOOLEAN') {
    const options =
      def.type === 'BOOLEAN'
        ? [
            ['1', '是'],
            ['0', '否'],
          ]
        : codeOptions(def);
    input = el(
      'select',
      { id },
      el('option', { value: '' }, '（请选择）'),
      options.map(([c, l]) => el('option', { value: c }, c + ' ' + l)),
    );
  } else {
    input = el('input', {
      id,
      placeholder: def.type === 'DATE' ? '如 2010-09-01' : '',
    });
  }
  input.value = value || '';
  input.disabled = !enabled;
  if (!enabled) input.title = '只读';
  return input;
}

// Puts each "field='value': rule" of an error next to its field; the rest
// in `general`.
export function placeErrors(err, prefix, general) {
  const text = err instanceof ApiError ? err.message : String(err);
  const rest = [];
  for (const part of text.split('; ')) {
    const p = fieldProblem(part);
    const slot = p && document.getElementById('err-' + prefix + '-' + p.field);
    if (slot) slot.textContent = p.rule;
    else rest.push(part);
  }
  if (rest.length)
    general.append(
      errorBox(err instanceof ApiError ? new ApiError(err.code, rest.join('；')) : err),
    );
}

export function clearErrors(root) {
  root.querySelectorAll('.field-error').forEach((e) => {
    e.textContent = '';
  });
}

export function fieldBlock(prefix, def, input) {
  return el(
    'div',
    { class: 'field' },
    el(
      'label',
      { for: input.id },
      def.label,
      def.required ? el('span', { class: 'req' }, ' *') : null,
      input.disabled ? el('span', { class: 'ro' }, '（只读）') : null,
    ),
    input,
    el('div', {
      class: 'field-error',
      id: 'err-' + prefix + '-' + def.name,
      role: 'alert',
    }),
  );
}
