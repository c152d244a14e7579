// The teacher list, a new teacher, one teacher's record with its
// categories and review actions, its history, and a teacher's own record.
import { call } from '../kit/api.js';
import { el, errorBox, once, setMain, when } from '../kit/dom.js';
import {
  catalog,
  clearErrors,
  fieldBlock,
  fieldInput,
  placeErrors,
  writable,
} from '../kit/form.js';
import { STATES, stateBadge } from '../kit/labels.js';
import { me } from '../kit/session.js';
import { unitPicker } from '../kit/unit_picker.js';
import { rotatingInCard } from './careers.js';
import { categoryCard, changeRequestsCard } from './entries.js';

// The columns a clerk can sort the list by, as the node names the orders.
const ORDERS = [
  ['ORDER_TEACHER_NUMBER', '教师编号'],
  ['ORDER_NAME', '姓名'],
  ['ORDER_SCHOOL', '学校'],
  ['ORDER_STATE', '状态'],
  ['ORDER_UPDATED', '更新时间'],
];
const PAGE_SIZE = 50;

// The unit's teachers (the user's unit, or one chosen below it), filtered by
// state and by name or number, sorted by any column, a page at a time with
// the total; each name opens the record.
export async function showTeachers() {
  const view = { page: 1, order: 'ORDER_SCHOOL', descending: false };
  const state = el(
    'select',
    { id: 'state-filter' },
    el('option', { value: '' }, '全部状态'),
    ...Object.entries(STATES).map(([k, v]) => el('option', { value: k }, v)),
  );
  const unit = unitPicker({
    id: 'unit-filter',
    label: '单位',
    root: { code: me.user.unit_code, name: me.unit_name, level: me.unit_level },
    onchange: () => load(1),
  });
  const body = el('div', {}, el('div', { class: 'loading' }, '正在查询…'));
  const canCreate = me.user.role === 'USER_ROLE_MANAGER' && me.unit_level === 4;
  const load = async (page) => {
    view.page = page;
    try {
      const r = await call('ListTeachers', {
        unit_code: unit.value,
        state: state.value,
        search: search.value.trim(),
        page_size: PAGE_SIZE,
        page,
        order: view.order,
        descending: view.descending,
      });
      const total = Number(r.total || 0);
      const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
      const heads = ORDERS.map(([order, label]) => {
        const sorted = view.order === order;
        const button = el('button', { type: 'button', class: 'sort' }, label);
        button.addEventListener('click', () => {
          view.descending = sorted ? !view.descending : false;
          view.order = order;
          load(1);
        });
        return el(
          'th',
          {
            scope: 'col',
            'aria-sort': sorted ? (view.descending ? 'descending' : 'ascending') : 'none',
          },
          button,
        );
      });
      const rows = (r.teachers || []).map((t) =>
        el(
          'tr',
          {},
          el(
            'td',
            {},
            el(
              'a',
              {
                href: '#',
                onclick: (ev) => {
                  ev.preventDefault();
                  showTeacher(t.teacher_number);
                },
              },
              t.teacher_number,
            ),
          ),
          el('td', { class: 'nowrap' }, t.name),
          el('td', { class: 'nowrap' }, t.school_name || t.school_code),
          el('td', {}, stateBadge(t.state)),
          el('td', { class: 'nowrap' }, when(t.updated_unix)),
        ),
      );
      body.replaceChildren(
        rotatingInCard(r.rotating_in) || '',
        el(
          'div',
          { class: 'list-head', id: 'teacher-total', role: 'status' },
          '共 ',
          el('b', {}, total.toLocaleString('zh-CN')),
          ' 名教师',
          total > PAGE_SIZE ? '，第 ' + page + ' / ' + pages + ' 页' : '',
        ),
        el(
          'table',
          { id: 'teacher-table' },
          el('thead', {}, el('tr', {}, heads)),
          el(
            'tbody',
            {},
            rows.length
              ? rows
              : el('tr', {}, el('td', { colspan: 5, class: 'hint' }, '没有符合条件的教师')),
          ),
        ),
        pager(page, pages, load) || '',
      );
    } catch (e) {
      body.replaceChildren(errorBox(e));
    }
  };
  state.addEventListener('change', () => load(1));
  const search = el('input', { id: 'teacher-search', placeholder: '姓名中的字，或 12 位教师编号' });
  const go = el('button', { id: 'teacher-search-go', class: 'secondary', type: 'submit' }, '查找');
  const find = el(
    'form',
    {
      onsubmit: (ev) => {
        ev.preventDefault();
        once(go, () => load(1));
      },
    },
    el('label', { for: 'teacher-search' }, '按姓名或教师编号查找'),
    el('div', { class: 'row' }, el('div', {}, search), go),
  );
  // The node names the file: 山永区第1学校_教师名单_2026-12-07.xlsx.
  const exportAs = (format, label, id, form) => {
    const link = el('a', { class: 'button-link', id, href: '#' }, label);
    link.addEventListener('click', (ev) => {
      ev.preventDefault();
      const params = { unit: unit.value, state: state.value, format };
      if (form) params.form = form;
      const a = el('a', {
        href: '/console/export?' + new URLSearchParams(params).toString(),
        download: true,
      });
      document.body.append(a);
      a.click();
      a.remove();
    });
    return link;
  };
  const exportLink = [
    exportAs('xlsx', '导出名单（Excel）', 'export-teachers-xlsx'),
    ' ',
    exportAs('csv', '导出 CSV', 'export-teachers'),
    ' ',
    exportAs('csv', '导出代码版 CSV（可再导入）', 'export-teachers-codes', 'codes'),
  ];
  setMain(
    el('h1', {}, '教师名单'),
    canCreate ? newTeacherCard() : null,
    el(
      'div',
      { class: 'card' },
      el(
        'div',
        { class: 'row' },
        Number(me.unit_level) < 4
          ? el('div', {}, el('label', { for: 'unit-filter' }, '单位'), unit)
          : null,
        el('div', {}, el('label', { for: 'state-filter' }, '按状态筛选'), state),
        el('div', {}, find),
      ),
      el('div', { class: 'actions' }, exportLink),
      body,
    ),
  );
  load(1);
}

// Page numbers: first, previous, a window around the page, next, last.
function pager(page, pages, load) {
  if (pages <= 1) return null;
  const go = (p, label, id, current) =>
    el(
      'button',
      {
        type: 'button',
        class: current ? 'page current' : 'secondary page',
        id,
        disabled: p < 1 || p > pages || current,
        'aria-current': current ? 'page' : undefined,
        onclick: () => load(p),
      },
      label,
    );
  const numbers = [];
  for (let p = Math.max(1, page - 3); p <= Math.min(pages, page + 3); ++p)
    numbers.push(go(p, String(p), 'page-' + p, p === page));
  return el(
    'nav',
    { class: 'pager', 'aria-label': '翻页' },
    go(1, '首页', 'page-first'),
    go(page - 1, '上一页', 'page-prev'),
    numbers,
    go(page + 1, '下一页', 'page-next'),
    go(pages, '末页', 'page-last'),
  );
}

export function newTeacherCard() {
  const name = el('input', { id: 'new-name' });
  const gender = el(
    'select',
    { id: 'new-gender' },
    el('option', { value: '1' }, '男'),
    el('option', { value: '2' }, '女'),
  );
  const birth = el('input', { id: 'new-birth', placeholder: '如 1985-09-01' });
  const idc = el('input', { id: 'new-id', autocomplete: 'off', placeholder: '18 位，先填它' });
  // The ID-card number fixes birth date (digits 7–14) and gender (digit 17:
  // odd 男, even 女); the node checks they agree.
  idc.addEventListener('input', () => {
    const v = idc.value.trim();
    if (!/^\d{17}[\dXx]$/.test(v)) return;
    birth.value = v.slice(6, 10) + '-' + v.slice(10, 12) + '-' + v.slice(12, 14);
    gender.value = Number(v[16]) % 2 === 1 ? '1' : '2';
  });
  const msg = el('div');
  const submit = el('button', { id: 'create-teacher', type: 'submit' }, '新建教师');
  return el(
    'form',
    {
      class: 'card',
      onsubmit: (ev) => {
        ev.preventDefault();
        once(submit, async () => {
          msg.replaceChildren();
          try {
            const t = await call('CreateTeacher', {
              name: name.value,
              gender: gender.value,
              birth_date: birth.value,
              id_card_number: idc.value,
              school_code: me.user.unit_code,
            });
            // The new record opens, to be completed.
            showTeacher(
              t.teacher_number,
              '已新建教师 ' +
                t.teacher_number +
                '（' +
                t.record.name +
                '），状态：草稿；请补全以下信息后提交',
            );
          } catch (e) {
            msg.append(errorBox(e));
          }
        });
      },
    },
    el('h2', {}, '新建教师（四项身份信息）'),
    el(
      'div',
      { class: 'row' },
      el('div', {}, el('label', { for: 'new-id' }, '身份证件号码'), idc),
      el('div', {}, el('label', { for: 'new-name' }, '姓名'), name),
      el('div', {}, el('label', { for: 'new-gender' }, '性别'), gender),
      el('div', {}, el('label', { for: 'new-birth' }, '出生日期'), birth),
    ),
    msg,
    el('div', { class: 'actions' }, submit),
  );
}

// `notice`: a line to show above the record (after creating it, say).
export async function showTeacher(number, notice) {
  setMain(el('div', { class: 'loading' }, '正在载入…'));
  let form, cat;
  try {
    [form, cat] = await Promise.all([
      call('GetReviewForm', { teacher_number: number, without_catalog: true }),
      catalog(),
    ]);
  } catch (e) {
    setMain(errorBox(e));
    return;
  }
  const t = form.teacher,
    r = t.record || {};
  const editing = t.state === 'draft' || t.state === 'returned';
  const proposing = t.state === 'effective';
  const open = editing || proposing;
  const basicValues = Object.fromEntries((form.basic || []).map((v) => [v.field, v.value]));
  const cards = [];
  const reason = el('input', {
    id: 'reason-basic',
    class: 'reason',
    placeholder: '写明依据，如“职称证书已换发”',
  });

  // Basic information.
  const basicDef = cat.categories[0];
  const basicInputs = basicDef.fields.map((def) =>
    fieldInput('f-basic-' + def.name, def, basicValues[def.name], open && writable(basicDef, def)),
  );
  const basicMsg = el('div');
  const saveBasic = el('button', { id: 'save-basic' }, proposing ? '提出变更' : '保存');
  saveBasic.addEventListener('click', () =>
    once(saveBasic, async () => {
      basicMsg.replaceChildren();
      clearErrors(document.getElementById('card-basic'));
      const fields = basicDef.fields
        .map((def, i) => ({ field: def.name, value: basicInputs[i].value }))
        .filter((f, i) => !basicInputs[i].disabled && f.value !== (basicValues[f.field] || ''));
      if (!fields.length) {
        basicMsg.append(el('div', { class: 'hint' }, '没有改动'));
        return;
      }
      try {
        if (proposing) {
          await call('RequestChange', { teacher_number: number, fields, reason: reason.value });
          await showTeacher(number, '「基本信息」的变更申请已提交，等待审核');
        } else {
          await call('EditTeacher', { teacher_number: number, fields });
          await showTeacher(number);
        }
      } catch (e) {
        placeErrors(e, 'basic', basicMsg);
      }
    }),
  );
  cards.push(
    el(
      'div',
      { class: 'card', id: 'card-basic' },
      el('h2', {}, basicDef.label),
      el(
        'div',
        { class: 'form-grid' },
        basicDef.fields.map((def, i) => fieldBlock('basic', def, basicInputs[i])),
      ),
      proposing && basicInputs.some((i) => !i.disabled)
        ? el(
            'div',
            { class: 'field' },
            el('label', { for: 'reason-basic' }, '变更原因', el('span', { class: 'req' }, ' *')),
            reason,
          )
        : null,
      basicMsg,
      open && basicInputs.some((i) => !i.disabled)
        ? el('div', { class: 'actions' }, saveBasic)
        : null,
    ),
  );

  // Every information category with its entries.
  const pending = (form.change_requests || []).filter((c) => c.state === 'pending');
  for (const category of cat.categories.slice(1))
    cards.push(
      categoryCard({
        number,
        category,
        entries: (form.entries || []).filter((e) => e.category === category.code && !e.deleted),
        open,
        proposing,
        pending,
        reload: (line) => showTeacher(number, line),
      }),
    );

  const msg = el('div');
  const submit =
    editing && me.user.role !== 'USER_ROLE_QUERIER'
      ? el('button', { id: 'submit-teacher' }, '提交审核')
      : null;
  if (submit)
    submit.addEventListener('click', () =>
      once(submit, async () => {
        msg.replaceChildren();
        try {
          await call('SubmitTeacher', { teacher_number: number });
          await showTeacher(number);
        } catch (e) {
          msg.append(errorBox(e));
        }
      }),
    );
  const history = el(
    'button',
    { class: 'secondary', id: 'show-history', onclick: () => showHistory(number) },
    '历史版本',
  );
  setMain(
    el('h1', {}, '教师信息：' + (r.name || number)),
    notice ? el('div', { class: 'ok', id: 'teacher-notice', role: 'status' }, notice) : null,
    el(
      'div',
      { class: 'card summary' },
      el(
        'div',
        {},
        '教师编号 ',
        el('b', { id: 'teacher-number' }, t.teacher_number),
        '　状态 ',
        stateBadge(t.state),
        '　版本 ',
        String(t.version),
        '　更新 ',
        when(t.updated_unix),
      ),
      t.state === 'returned' && t.change_reason
        ? el('div', { class: 'error', id: 'return-reason' }, '退回原因：' + t.change_reason)
        : null,
      (form.missing || []).length && editing
        ? el('div', { class: 'hint', id: 'missing' }, '提交前尚需填写：' + form.missing.join('、'))
        : null,
      proposing && me.user.role !== 'USER_ROLE_QUERIER'
        ? el('div', { class: 'hint' }, '记录已生效：修改以变更申请提出，写明原因，经审核后生效。')
        : null,
      msg,
      el(
        'div',
        { class: 'actions' },
        submit,
        history,
        me.user.role !== 'USER_ROLE_TEACHER'
          ? el('button', { class: 'secondary', onclick: () => showTeachers() }, '返回名单')
          : null,
      ),
    ),
    changeRequestsCard(
      cat,
      form.change_requests,
      me.user.role === 'USER_ROLE_TEACHER' ? '我的变更申请' : '变更申请',
    ),
    ...cards,
  );
}

export async function showHistory(number, version) {
  let h, cat;
  try {
    [h, cat] = await Promise.all([
      call('TeacherHistory', { teacher_number: number, version: version || 0 }),
      catalog(),
    ]);
  } catch (e) {
    setMain(errorBox(e));
    return;
  }
  const back = el(
    'button',
    { class: 'secondary', onclick: () => showTeacher(number) },
    '返回教师信息',
  );
  if (version) {
    const v = h.versions[0] || {},
      r = v.record || {};
    setMain(
      el('h1', {}, '第 ' + version + ' 版：' + (r.name || number)),
      el(
        'div',
        { class: 'card' },
        el(
          'div',
          { class: 'hint' },
          '修改人 ' +
            (v.changed_by || '') +
            ' · ' +
            (v.change_action_label || v.change_action || '') +
            ' · ' +
            when(v.updated_unix) +
            (v.change_reason ? ' · 原因：' + v.change_reason : ''),
        ),
        el(
          'table',
          { id: 'version-table' },
          el(
            'tbody',
            {},
            cat.categories[0].fields.map((d) =>
              el(
                'tr',
                {},
                el('th', {}, d.label),
                el('td', {}, r[d.name] === undefined ? '' : String(r[d.name])),
              ),
            ),
          ),
        ),
        el(
          'div',
          { class: 'actions' },
          el('button', { class: 'secondary', onclick: () => showHistory(number) }, '返回历史列表'),
          back,
        ),
      ),
    );
    return;
  }
  setMain(
    el('h1', {}, '历史版本：' + number),
    el(
      'div',
      { class: 'card' },
      el(
        'table',
        { id: 'history-table' },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ['版本', '状态', '操作', '修改人', '审核人', '原因', '时间'].map((x) =>
              el('th', {}, x),
            ),
          ),
        ),
        el(
          'tbody',
          {},
          (h.versions || []).map((v) =>
            el(
              'tr',
              {},
              el(
                'td',
                {},
                el(
                  'a',
                  {
                    href: '#',
                    onclick: (ev) => {
                      ev.preventDefault();
                      showHistory(number, v.version);
                    },
                  },
                  '第 ' + v.version + ' 版',
                ),
              ),
              el('td', {}, stateBadge(v.state)),
              el('td', {}, v.change_action_label || v.change_action),
              el('td', {}, v.changed_by),
              el('td', {}, v.approved_by),
              el('td', {}, v.change_reason),
              el('td', {}, when(v.updated_unix)),
            ),
          ),
        ),
      ),
      changeRequestsCard(cat, [...(h.change_requests || [])].reverse()),
      el('div', { class: 'actions' }, back),
    ),
  );
}

export async function showMine() {
  if (me.user.teacher_number) await showTeacher(me.user.teacher_number);
}
