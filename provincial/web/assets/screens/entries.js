// One information category of a teacher's record (学习经历, 联系方式 …) with
// its entries, and the change requests of the record. An entry is added,
// corrected or deleted in place: directly while the record is a draft or
// returned; once it is effective, as a change request with its own reason,
// which the level above decides (provincial/core/workflow.h, PutEntry).
import { call } from '../kit/api.js';
import { confirmButton, el, once, when } from '../kit/dom.js';
import { clearErrors, fieldBlock, fieldInput, placeErrors, shown, writable } from '../kit/form.js';
import { FIELD_LABELS } from '../kit/fields.js';

const valuesOf = (entry) =>
  Object.fromEntries(((entry && entry.values) || []).map((v) => [v.field, v.value]));

// A category's label ("联系方式"); the core record is 基本信息.
export function categoryLabel(cat, code) {
  if (!code) return '基本信息';
  const c = (cat.categories || []).find((x) => x.code === code);
  return c ? c.label : code;
}

// "民族：汉族" for a changed field, with the code's label where it has one.
export function fieldText(cat, category, f) {
  const c =
    (cat.categories || []).find((x) => x.code === (category || 'basic')) || cat.categories[0];
  const def = (c.fields || []).find((d) => d.name === f.field);
  const value = def ? shown(def, f.value) : f.value;
  return (
    (def ? def.label : FIELD_LABELS[f.field] || f.field) +
    '：' +
    (value === '' ? '（清空）' : value)
  );
}

// What a change request is about: 新增一条, 修改第 2 条, 删除第 2 条.
function targetText(c) {
  if (c.delete_entry) return '删除第 ' + c.entry_no + ' 条';
  if (c.category && Number(c.entry_no) > 0) return '修改第 ' + c.entry_no + ' 条';
  if (c.category && c.kind === 'addition') return '新增一条';
  return c.kind === 'addition' ? '补充' : '修改';
}

const REQUEST_STATES = { pending: '待审核', approved: '已同意', rejected: '已驳回' };

// The record's change requests, newest first: what waits for a decision and
// what became of each (the teacher reads this on 我的信息).
export function changeRequestsCard(cat, changes, title) {
  if (!changes || !changes.length) return null;
  const waiting = changes.filter((c) => c.state === 'pending').length;
  return el(
    'div',
    { class: 'card', id: 'change-requests' },
    el(
      'h2',
      {},
      title || '变更申请',
      el('span', { class: 'hint' }, waiting ? '　' + waiting + ' 项待审核' : '　均已审核'),
    ),
    el(
      'table',
      { id: 'change-table' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ['提出时间', '信息类别', '事项', '内容', '申请原因', '状态', '审核意见'].map((x) =>
            el('th', { scope: 'col' }, x),
          ),
        ),
      ),
      el(
        'tbody',
        {},
        changes.map((c) =>
          el(
            'tr',
            {},
            el('td', { class: 'nowrap' }, when(c.requested_unix)),
            el('td', { class: 'nowrap' }, categoryLabel(cat, c.category)),
            el('td', { class: 'nowrap' }, targetText(c)),
            el(
              'td',
              {},
              c.delete_entry
                ? ''
                : (c.fields || []).map((f) => fieldText(cat, c.category, f)).join('，'),
            ),
            el('td', {}, c.reason),
            el(
              'td',
              { class: 'nowrap' },
              el('span', { class: 'badge request-' + c.state }, REQUEST_STATES[c.state] || c.state),
            ),
            el(
              'td',
              {},
              c.decision_reason || '',
              c.decided_unix && c.decided_unix !== '0' ? '（' + when(c.decided_unix) + '）' : '',
            ),
          ),
        ),
      ),
    ),
  );
}

// `open`: the record takes writes now (draft, returned) or change requests
// (effective: `proposing`). `pending`: the record's waiting change requests.
// `reload(notice)` shows the record again with a line on top.
export function categoryCard({ number, category, entries, open, proposing, pending, reload }) {
  const prefix = category.code;
  const single = !category.repeated;
  const canWrite = open && category.fields.some((d) => writable(category, d));
  let target = single && entries[0] ? entries[0] : null; // the entry being corrected
  const inputs = category.fields.map((d) =>
    fieldInput('f-' + prefix + '-' + d.name, d, '', canWrite && writable(category, d)),
  );
  const fill = (entry) => {
    const values = valuesOf(entry);
    category.fields.forEach((d, i) => {
      inputs[i].value = values[d.name] || '';
    });
  };
  fill(target);
  const msg = el('div');
  const reason = el('input', {
    id: 'reason-' + prefix,
    class: 'reason',
    placeholder: '写明依据，如“毕业证书核对有误”',
  });
  const heading = el('h3', { id: 'form-title-' + prefix });
  const save = el('button', { class: 'secondary', id: 'save-' + prefix });
  const cancel = el(
    'button',
    { type: 'button', class: 'secondary', id: 'cancel-' + prefix },
    '取消修改',
  );
  const form = el('div', { class: 'entry-form' });
  const label = () => {
    const n = target && !single ? '第 ' + target.entry_no + ' 条' : '';
    heading.textContent = single ? '' : target ? '修改' + n : '新增一条';
    save.textContent = proposing
      ? target
        ? single
          ? '提出变更'
          : '申请修改' + n
        : '申请新增一条'
      : target && !single
        ? '保存' + n
        : single
          ? '保存'
          : '新增一条';
    cancel.hidden = single || !target;
  };
  const edit = (entry) => {
    target = entry;
    fill(entry);
    label();
    clearErrors(form);
    msg.replaceChildren();
    form.scrollIntoView({ block: 'nearest' });
    const first = inputs.find((i) => !i.disabled);
    if (first) first.focus();
  };
  cancel.addEventListener('click', () => edit(null));
  label();

  const put = async (body, what, verb) => {
    msg.replaceChildren();
    clearErrors(form);
    try {
      const r = await call('PutEntry', {
        teacher_number: number,
        category: category.code,
        reason: proposing ? reason.value : '',
        ...body,
      });
      await reload(
        r.change_request ? what + '：' + verb + '申请已提交，等待审核' : what + '已' + verb,
      );
    } catch (e) {
      placeErrors(e, prefix, msg);
    }
  };
  save.addEventListener('click', () =>
    once(save, async () => {
      // A correction sends what changed (a field emptied too); a new entry
      // what was filled in.
      const before = valuesOf(target);
      const fields = category.fields
        .map((d, i) => ({ field: d.name, value: inputs[i].value.trim() }))
        .filter((f, i) =>
          inputs[i].disabled
            ? false
            : target
              ? f.value !== (before[f.field] || '')
              : f.value !== '',
        );
      if (!fields.length) {
        msg.replaceChildren(el('div', { class: 'hint' }, target ? '没有改动' : '请先填写'));
        return;
      }
      const what =
        '「' + category.label + '」' + (target && !single ? '第 ' + target.entry_no + ' 条' : '');
      await put(
        { entry_no: target ? Number(target.entry_no) : 0, fields },
        what,
        target ? '修改' : single ? '填写' : '新增一条',
      );
    }),
  );

  const waitingFor = (n) =>
    (pending || []).some((c) => c.category === category.code && Number(c.entry_no) === n);
  const actions = (e) => {
    const n = Number(e.entry_no);
    if (waitingFor(n)) return el('span', { class: 'badge request-pending' }, '变更待审核');
    if (!canWrite || single) return '';
    return [
      el(
        'button',
        {
          type: 'button',
          class: 'secondary small',
          id: 'edit-' + prefix + '-' + n,
          onclick: () => edit(e),
        },
        '修改',
      ),
      ' ',
      confirmButton(
        '删除',
        '确认删除？再点一次',
        () =>
          put(
            { entry_no: n, delete_entry: true },
            '「' + category.label + '」第 ' + n + ' 条',
            '删除',
          ),
        { class: 'danger small', id: 'delete-' + prefix + '-' + n },
      ),
    ];
  };
  const showActions = (!single && canWrite) || (pending || []).length > 0;
  const table = entries.length
    ? el(
        'table',
        { id: 'entries-' + prefix },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            el('th', { scope: 'col' }, '序号'),
            category.fields.map((d) => el('th', { scope: 'col' }, d.label)),
            showActions ? el('th', { scope: 'col' }, '操作') : null,
          ),
        ),
        el(
          'tbody',
          {},
          entries.map((e) => {
            const values = valuesOf(e);
            return el(
              'tr',
              {},
              el('td', {}, String(e.entry_no)),
              category.fields.map((d) => el('td', {}, shown(d, values[d.name]))),
              showActions ? el('td', { class: 'nowrap' }, actions(e)) : null,
            );
          }),
        ),
      )
    : null;
  form.append(
    ...[
      heading,
      el(
        'div',
        { class: 'form-grid' },
        category.fields.map((d, i) => fieldBlock(prefix, d, inputs[i])),
      ),
      proposing
        ? el(
            'div',
            { class: 'field' },
            el('label', { for: reason.id }, '变更原因', el('span', { class: 'req' }, ' *')),
            reason,
          )
        : null,
      msg,
      el('div', { class: 'actions' }, save, cancel),
    ].filter(Boolean),
  );
  return el(
    'details',
    { class: 'card category', id: 'card-' + prefix, open: entries.length > 0 || undefined },
    el(
      'summary',
      {},
      category.label,
      el(
        'span',
        { class: 'hint' },
        '　' +
          (entries.length ? '共 ' + entries.length + ' 条' : '未填写') +
          (category.administration_only ? ' · 由学校或主管部门填写' : ''),
      ),
    ),
    table,
    canWrite ? form : null,
  );
}
