// The provincial web console: one page, no external files. Every call goes
// to the node's JSON API (POST /ntmis.v1.ProvincialApi/<Method>); the
// session lives in an HttpOnly cookie this script never sees, and every
// call carries the CSRF token of the ntmis_csrf cookie. Text from the
// server is only ever set as textContent, never parsed as HTML.
'use strict';

const STATES = { draft: '草稿', submitted: '待学校审核', school_approved: '待区县审核', returned: '已退回',
  effective: '已生效', withdrawn: '已撤销', transferred_out: '已调出本省' };
const STEPS = { school_approval: '学校审核', county_review: '区县复核', change_request: '变更申请', correction: '退回修改' };
const ROLES = { USER_ROLE_SYSADMIN: '系统管理员', USER_ROLE_MANAGER: '信息管理员', USER_ROLE_QUERIER: '信息查询员', USER_ROLE_TEACHER: '教师' };
const LEVELS = { 1: '省级', 2: '地市', 3: '区县', 4: '学校' };
const CODE_MESSAGES = { unauthenticated: '登录已失效，请重新登录', permission_denied: '没有权限', resource_exhausted: '操作过于频繁，请稍后再试', unavailable: '系统繁忙，请稍后重试' };

let me = null;

function el(tag, attrs, ...children) {
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

function csrf() {
  const m = document.cookie.match(/(?:^|;\s*)ntmis_csrf=([0-9a-f]+)/);
  return m ? m[1] : '';
}

class ApiError extends Error {
  constructor(code, message) { super(message); this.code = code; }
}

let busy = false;
async function call(method, body) {
  const res = await fetch('/ntmis.v1.ProvincialApi/' + method, {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf() },
    body: JSON.stringify(body || {}),
  });
  let data = {};
  try { data = await res.json(); } catch (e) { data = { code: 'unknown', message: '服务器没有给出可读的回答' }; }
  if (!res.ok) {
    if (data.code === 'unauthenticated' && method !== 'Login') { me = null; showLogin(CODE_MESSAGES.unauthenticated + '（' + data.message + '）'); }
    throw new ApiError(data.code, data.message || CODE_MESSAGES[data.code] || data.code);
  }
  return data;
}

// Runs a step once however often it is clicked: the button stays disabled
// until the answer is in.
async function once(button, fn) {
  if (button.disabled) return;
  button.disabled = true;
  try { await fn(); } finally { button.disabled = false; }
}

function errorBox(err) {
  const text = err instanceof ApiError ? (CODE_MESSAGES[err.code] && err.code !== 'permission_denied' ? CODE_MESSAGES[err.code] + '：' : '') + err.message : String(err);
  return el('div', { class: 'error', role: 'alert' }, text);
}

function setMain(...children) {
  const main = document.getElementById('main');
  main.replaceChildren(...children.filter(c => c !== null && c !== undefined));
}

function stateBadge(state) { return el('span', { class: 'badge ' + state }, STATES[state] || state); }
function when(unix) { return unix && unix !== '0' ? new Date(Number(unix) * 1000).toLocaleString('zh-CN', { hour12: false }) : ''; }

// ---- login, password, logout ----

function showLogin(message) {
  document.getElementById('who').hidden = true;
  document.getElementById('nav').hidden = true;
  const user = el('input', { id: 'username', autocomplete: 'username', required: true });
  const pass = el('input', { id: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const msg = el('div');
  if (message) msg.append(el('div', { class: 'error', role: 'alert' }, message));
  const submit = el('button', { id: 'login', type: 'submit' }, '登录');
  const form = el('form', { class: 'card login', onsubmit: (ev) => {
    ev.preventDefault();
    once(submit, async () => {
      msg.replaceChildren();
      try {
        await call('Login', { username: user.value.trim(), password: pass.value });
        await start();
      } catch (e) { msg.append(errorBox(e)); }
    });
  } },
  el('h1', {}, '用户登录'),
  el('label', { for: 'username' }, '用户名（教师请输入教师编号）'), user,
  el('label', { for: 'password' }, '密码'), pass, msg,
  el('div', { class: 'actions' }, submit),
  el('p', { class: 'hint' }, '连续输错 5 次密码，账号将被暂时锁定 15 分钟；长时间不操作会自动退出登录。'));
  setMain(el('div', { class: 'login-wrap' }, form));
  user.focus();
}

function showChangePassword(forced) {
  const old = el('input', { id: 'old-password', type: 'password', autocomplete: 'current-password' });
  const pw1 = el('input', { id: 'new-password', type: 'password', autocomplete: 'new-password' });
  const pw2 = el('input', { id: 'new-password2', type: 'password', autocomplete: 'new-password' });
  const msg = el('div');
  const submit = el('button', { id: 'change-password', type: 'submit' }, '修改密码');
  setMain(el('div', { class: 'login-wrap' }, el('form', { class: 'card login', onsubmit: (ev) => {
    ev.preventDefault();
    once(submit, async () => {
      msg.replaceChildren();
      if (pw1.value !== pw2.value) { msg.append(el('div', { class: 'error' }, '两次输入的新密码不一致')); return; }
      try {
        await call('ChangePassword', { old_password: old.value, new_password: pw1.value });
        showLogin();
        document.querySelector('.login-wrap form').prepend(el('div', { class: 'ok' }, '密码已修改，请用新密码重新登录'));
      } catch (e) { msg.append(errorBox(e)); }
    });
  } },
  el('h1', {}, forced ? '首次登录请修改密码' : '修改密码'),
  forced ? el('p', { class: 'hint' }, '您的密码由系统生成，修改后才能使用其他功能。') : null,
  el('label', { for: 'old-password' }, '原密码'), old,
  el('label', { for: 'new-password' }, '新密码'), pw1,
  el('label', { for: 'new-password2' }, '再次输入新密码'), pw2, msg,
  el('div', { class: 'actions' }, submit))));
}

async function logout() {
  try { await call('Logout', {}); } catch (e) { /* the session is gone either way */ }
  me = null;
  showLogin();
}

// ---- navigation ----

function pages() {
  const role = me.user.role, level = me.unit_level;
  const list = [];
  if (role === 'USER_ROLE_TEACHER') return [['mine', '我的信息', showMine]];
  list.push(['teachers', '教师名单', showTeachers]);
  if (role === 'USER_ROLE_MANAGER') list.push(['queue', '审核队列', showQueue]);
  if (role === 'USER_ROLE_MANAGER' || role === 'USER_ROLE_QUERIER') list.push(['careers', '调动与变动', showCareers]);
  if (role === 'USER_ROLE_MANAGER' || role === 'USER_ROLE_SYSADMIN') list.push(['import', '数据导入', showImport]);
  list.push(['progress', '填报进度', showProgress]);
  if (role === 'USER_ROLE_SYSADMIN') list.push(['accounts', '账号管理', showAccounts]);
  if (role === 'USER_ROLE_SYSADMIN') list.push(['audit', '审计日志', showAudit]);
  if (level === 1 && role !== 'USER_ROLE_QUERIER') list.push(['sync', '同步状态', showSync]);
  list.push(['password', '修改密码', () => showChangePassword(false)]);
  return list;
}

function nav(active) {
  const n = document.getElementById('nav');
  n.hidden = false;
  n.replaceChildren(...pages().map(([id, label, fn]) =>
    el('a', { id: 'nav-' + id, class: id === active ? 'active' : '', onclick: () => { nav(id); fn(); } }, label)));
}

async function start() {
  try {
    me = await call('WhoAmI', {});
  } catch (e) {
    if (e.code === 'unauthenticated') { showLogin(); return; }
    setMain(errorBox(e));
    return;
  }
  document.getElementById('who').hidden = false;
  document.getElementById('who-name').textContent = me.user.username + ' · ' + me.unit_name;
  document.getElementById('who-role').textContent = (LEVELS[me.unit_level] || '') + ROLES[me.user.role];
  if (me.user.must_change_password) { document.getElementById('nav').hidden = true; showChangePassword(true); return; }
  // Each user lands on what waits for them.
  const first = me.user.role === 'USER_ROLE_TEACHER' ? 'mine'
    : me.user.role === 'USER_ROLE_MANAGER' && me.unit_level !== 4 ? 'queue' : 'teachers';
  nav(first);
  pages().find(([id]) => id === first)[2]();
}

// ---- teachers ----

async function showTeachers(token) {
  const state = el('select', { id: 'state-filter' }, el('option', { value: '' }, '全部状态'),
    ...Object.entries(STATES).map(([k, v]) => el('option', { value: k }, v)));
  const body = el('div', {}, el('div', { class: 'loading' }, '正在查询…'));
  const canCreate = me.user.role === 'USER_ROLE_MANAGER' && me.unit_level === 4;
  const load = async (page) => {
    try {
      const r = await call('ListTeachers', { state: state.value, search: search.value.trim(), page_size: 50, page_token: page || '' });
      const rows = (r.teachers || []).map(t => el('tr', {},
        el('td', {}, el('a', { href: '#', onclick: (ev) => { ev.preventDefault(); showTeacher(t.teacher_number); } }, t.teacher_number)),
        el('td', {}, t.name), el('td', {}, t.school_code), el('td', {}, stateBadge(t.state)), el('td', {}, when(t.updated_unix))));
      body.replaceChildren(rotatingInCard(r.rotating_in) || '',
        el('table', { id: 'teacher-table' }, el('thead', {}, el('tr', {}, el('th', {}, '教师编号'), el('th', {}, '姓名'), el('th', {}, '学校'), el('th', {}, '状态'), el('th', {}, '更新时间'))),
          el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { colspan: 5, class: 'hint' }, '没有符合条件的教师')))),
        el('div', { class: 'pager' }, r.next_page_token ? el('button', { class: 'secondary', onclick: () => load(r.next_page_token) }, '下一页') : null));
    } catch (e) { body.replaceChildren(errorBox(e)); }
  };
  state.addEventListener('change', () => load(''));
  const search = el('input', { id: 'teacher-search', placeholder: '姓名中的字，或 12 位教师编号' });
  const go = el('button', { id: 'teacher-search-go', class: 'secondary', type: 'submit' }, '查找');
  const find = el('form', { onsubmit: (ev) => { ev.preventDefault(); once(go, () => load('')); } },
    el('label', { for: 'teacher-search' }, '按姓名或教师编号查找'), el('div', { class: 'row' }, el('div', {}, search), go));
  const exportAs = (format, label, id) => {
    const link = el('a', { class: 'button-link', id, href: '#' }, label);
    link.addEventListener('click', (ev) => {
      ev.preventDefault();
      const a = el('a', { href: '/console/export?' + new URLSearchParams({ state: state.value, format }).toString(), download: '教师名单.' + format });
      document.body.append(a); a.click(); a.remove();
    });
    return link;
  };
  const exportLink = [exportAs('xlsx', '导出名单（Excel）', 'export-teachers-xlsx'), ' ', exportAs('csv', '导出 CSV', 'export-teachers')];
  setMain(el('h1', {}, '教师名单'),
    canCreate ? newTeacherCard(() => load('')) : null,
    el('div', { class: 'card' }, el('div', { class: 'row' }, el('div', {}, el('label', { for: 'state-filter' }, '按状态筛选'), state), el('div', {}, find),
      el('div', { class: 'right' }, exportLink)), body));
  load(token);
}

function newTeacherCard(done) {
  const name = el('input', { id: 'new-name' });
  const gender = el('select', { id: 'new-gender' }, el('option', { value: '1' }, '男'), el('option', { value: '2' }, '女'));
  const birth = el('input', { id: 'new-birth', placeholder: '如 1985-09-01' });
  const idc = el('input', { id: 'new-id', autocomplete: 'off' });
  const msg = el('div');
  const submit = el('button', { id: 'create-teacher', type: 'submit' }, '新建教师');
  return el('form', { class: 'card', onsubmit: (ev) => {
    ev.preventDefault();
    once(submit, async () => {
      msg.replaceChildren();
      try {
        const t = await call('CreateTeacher', { name: name.value, gender: gender.value, birth_date: birth.value, id_card_number: idc.value, school_code: me.user.unit_code });
        msg.append(el('div', { class: 'ok' }, '已新建教师 ' + t.teacher_number + '（' + t.record.name + '），状态：草稿'));
        name.value = birth.value = idc.value = '';
        done();
      } catch (e) { msg.append(errorBox(e)); }
    });
  } }, el('h2', {}, '新建教师（四项身份信息）'),
  el('div', { class: 'row' }, el('div', {}, el('label', { for: 'new-name' }, '姓名'), name), el('div', {}, el('label', { for: 'new-gender' }, '性别'), gender),
    el('div', {}, el('label', { for: 'new-birth' }, '出生日期'), birth), el('div', {}, el('label', { for: 'new-id' }, '身份证件号码'), idc)),
  msg, el('div', { class: 'actions' }, submit));
}

let formCatalog = null;
async function catalog() {
  if (!formCatalog) formCatalog = await call('GetFormCatalog', {});
  return formCatalog;
}

function codeOptions(def) {
  return (def.codes || []).map(c => { const i = c.indexOf('='); return [c.slice(0, i), c.slice(i + 1)]; });
}

// The value as a clerk reads it: a code's label, 是/否.
function shown(def, value) {
  if (value === undefined || value === '') return '';
  if (def.type === 'CODE') { const o = codeOptions(def).find(([c]) => c === value); return o ? o[1] : value; }
  if (def.type === 'BOOLEAN') return value === '1' ? '是' : '否';
  return value;
}

function writable(category, def) {
  const role = me.user.role;
  if (role === 'USER_ROLE_QUERIER') return false;
  const w = def.writer && def.writer !== 'WRITER_UNSPECIFIED' ? def.writer : category.writer;
  if (w === 'WRITER_FIXED') return false;
  if (role === 'USER_ROLE_TEACHER' && (w === 'WRITER_STAFF' || category.administration_only)) return false;
  return true;
}

function fieldInput(id, def, value, enabled) {
  let input;
  if (def.type === 'CODE' || def.type === 'BOOLEAN') {
    const options = def.type === 'BOOLEAN' ? [['1', '是'], ['0', '否']] : codeOptions(def);
    input = el('select', { id }, el('option', { value: '' }, '（请选择）'), options.map(([c, l]) => el('option', { value: c }, c + ' ' + l)));
  } else {
    input = el('input', { id, placeholder: def.type === 'DATE' ? '如 2010-09-01' : '' });
  }
  input.value = value || '';
  input.disabled = !enabled;
  if (!enabled) input.title = '只读';
  return input;
}

// Puts each "field='value': rule" of an error next to its field; the rest
// in `general`.
function placeErrors(err, prefix, general) {
  const text = err instanceof ApiError ? err.message : String(err);
  const rest = [];
  for (const part of text.split('; ')) {
    const m = part.match(/^([a-z_0-9]+)='(.*)': ([\s\S]*)$/);
    const slot = m && document.getElementById('err-' + prefix + '-' + m[1]);
    if (slot) slot.textContent = m[3]; else rest.push(part);
  }
  if (rest.length) general.append(errorBox(err instanceof ApiError ? new ApiError(err.code, rest.join('；')) : err));
}

function clearErrors(root) { root.querySelectorAll('.field-error').forEach(e => { e.textContent = ''; }); }

function fieldBlock(prefix, def, input) {
  return el('div', { class: 'field' }, el('label', { for: input.id }, def.label, def.required ? el('span', { class: 'req' }, ' *') : null,
    input.disabled ? el('span', { class: 'ro' }, '（只读）') : null), input, el('div', { class: 'field-error', id: 'err-' + prefix + '-' + def.name, role: 'alert' }));
}

async function showTeacher(number) {
  setMain(el('div', { class: 'loading' }, '正在载入…'));
  let form, cat;
  try { [form, cat] = await Promise.all([call('GetReviewForm', { teacher_number: number, without_catalog: true }), catalog()]); } catch (e) { setMain(errorBox(e)); return; }
  const t = form.teacher, r = t.record || {};
  const editing = t.state === 'draft' || t.state === 'returned';
  const proposing = t.state === 'effective';
  const open = editing || proposing;
  const basicValues = Object.fromEntries((form.basic || []).map(v => [v.field, v.value]));
  const cards = [];
  const reason = el('input', { id: 'change-reason', placeholder: '变更原因（对已生效记录提出变更时必填）' });

  // Basic information.
  const basicDef = cat.categories[0];
  const basicInputs = basicDef.fields.map(def => fieldInput('f-basic-' + def.name, def, basicValues[def.name], open && writable(basicDef, def)));
  const basicMsg = el('div');
  const saveBasic = el('button', { id: 'save-basic' }, proposing ? '提出变更' : '保存');
  saveBasic.addEventListener('click', () => once(saveBasic, async () => {
    basicMsg.replaceChildren(); clearErrors(document.getElementById('card-basic'));
    const fields = basicDef.fields.map((def, i) => ({ field: def.name, value: basicInputs[i].value }))
      .filter((f, i) => !basicInputs[i].disabled && f.value !== (basicValues[f.field] || ''));
    if (!fields.length) { basicMsg.append(el('div', { class: 'hint' }, '没有改动')); return; }
    try {
      if (proposing) {
        await call('RequestChange', { teacher_number: number, fields, reason: reason.value });
        basicMsg.append(el('div', { class: 'ok' }, '变更申请已提交，等待审核'));
      } else {
        await call('EditTeacher', { teacher_number: number, fields });
        await showTeacher(number);
      }
    } catch (e) { placeErrors(e, 'basic', basicMsg); }
  }));
  cards.push(el('div', { class: 'card', id: 'card-basic' }, el('h2', {}, basicDef.label),
    el('div', { class: 'form-grid' }, basicDef.fields.map((def, i) => fieldBlock('basic', def, basicInputs[i]))),
    basicMsg, open && basicInputs.some(i => !i.disabled) ? el('div', { class: 'actions' }, saveBasic) : null));

  // Every information category with its entries.
  for (const category of cat.categories.slice(1)) {
    const entries = (form.entries || []).filter(e => e.category === category.code && !e.deleted);
    const canWrite = open && category.fields.some(d => writable(category, d));
    const head = el('tr', {}, el('th', {}, '序号'), category.fields.map(d => el('th', {}, d.label)));
    const rows = entries.map(e => {
      const values = Object.fromEntries((e.values || []).map(v => [v.field, v.value]));
      return el('tr', {}, el('td', {}, String(e.entry_no)), category.fields.map(d => el('td', {}, shown(d, values[d.name]))));
    });
    const prefix = category.code;
    const single = !category.repeated;
    const current = single && entries[0] ? Object.fromEntries((entries[0].values || []).map(v => [v.field, v.value])) : {};
    const inputs = category.fields.map(d => fieldInput('f-' + prefix + '-' + d.name, d, current[d.name], canWrite && writable(category, d)));
    const msg = el('div');
    const save = el('button', { class: 'secondary', id: 'save-' + prefix }, single ? (proposing ? '提出变更' : '保存') : (proposing ? '申请新增一条' : '新增一条'));
    save.addEventListener('click', () => once(save, async () => {
      msg.replaceChildren(); clearErrors(document.getElementById('card-' + prefix));
      const fields = category.fields.map((d, i) => ({ field: d.name, value: inputs[i].value })).filter((f, i) => !inputs[i].disabled && f.value !== '');
      try {
        const r = await call('PutEntry', { teacher_number: number, category: category.code, entry_no: single ? 1 : 0, fields, reason: reason.value });
        if (r.change_request) msg.append(el('div', { class: 'ok' }, '已提交申请，等待审核'));
        else await showTeacher(number);
      } catch (e) { placeErrors(e, prefix, msg); }
    }));
    cards.push(el('details', { class: 'card category', id: 'card-' + prefix, open: entries.length > 0 || undefined },
      el('summary', {}, category.label, el('span', { class: 'hint' }, '　' + (entries.length ? '共 ' + entries.length + ' 条' : '未填写') + (category.administration_only ? ' · 由学校或主管部门填写' : ''))),
      entries.length ? el('table', {}, el('thead', {}, head), el('tbody', {}, rows)) : null,
      canWrite ? el('div', {}, el('div', { class: 'form-grid' }, category.fields.map((d, i) => fieldBlock(prefix, d, inputs[i]))), msg, el('div', { class: 'actions' }, save)) : null));
  }

  const msg = el('div');
  const submit = editing && me.user.role !== 'USER_ROLE_QUERIER' ? el('button', { id: 'submit-teacher' }, '提交审核') : null;
  if (submit) submit.addEventListener('click', () => once(submit, async () => {
    msg.replaceChildren();
    try { await call('SubmitTeacher', { teacher_number: number }); await showTeacher(number); } catch (e) { msg.append(errorBox(e)); }
  }));
  const history = el('button', { class: 'secondary', id: 'show-history', onclick: () => showHistory(number) }, '历史版本');
  setMain(el('h1', {}, '教师信息：' + (r.name || number)),
    el('div', { class: 'card summary' },
      el('div', {}, '教师编号 ', el('b', { id: 'teacher-number' }, t.teacher_number), '　状态 ', stateBadge(t.state), '　版本 ', String(t.version), '　更新 ', when(t.updated_unix)),
      t.state === 'returned' && t.change_reason ? el('div', { class: 'error', id: 'return-reason' }, '退回原因：' + t.change_reason) : null,
      (form.missing || []).length && editing ? el('div', { class: 'hint', id: 'missing' }, '提交前尚需填写：' + form.missing.join('、')) : null,
      proposing && me.user.role !== 'USER_ROLE_QUERIER' ? el('div', {}, el('label', { for: 'change-reason' }, '已生效的记录只能提出变更申请，由上级审核后生效：'), reason) : null,
      msg, el('div', { class: 'actions' }, submit, history, me.user.role !== 'USER_ROLE_TEACHER' ? el('button', { class: 'secondary', onclick: () => showTeachers() }, '返回名单') : null)),
    ...cards);
}

async function showHistory(number, version) {
  let h, cat;
  try { [h, cat] = await Promise.all([call('TeacherHistory', { teacher_number: number, version: version || 0 }), catalog()]); } catch (e) { setMain(errorBox(e)); return; }
  const back = el('button', { class: 'secondary', onclick: () => showTeacher(number) }, '返回教师信息');
  if (version) {
    const v = h.versions[0] || {}, r = v.record || {};
    setMain(el('h1', {}, '第 ' + version + ' 版：' + (r.name || number)), el('div', { class: 'card' },
      el('div', { class: 'hint' }, '修改人 ' + (v.changed_by || '') + ' · ' + (v.change_action || '') + ' · ' + when(v.updated_unix) + (v.change_reason ? ' · 原因：' + v.change_reason : '')),
      el('table', { id: 'version-table' }, el('tbody', {}, cat.categories[0].fields.map(d => el('tr', {}, el('th', {}, d.label), el('td', {}, r[d.name] === undefined ? '' : String(r[d.name])))))),
      el('div', { class: 'actions' }, el('button', { class: 'secondary', onclick: () => showHistory(number) }, '返回历史列表'), back)));
    return;
  }
  setMain(el('h1', {}, '历史版本：' + number), el('div', { class: 'card' },
    el('table', { id: 'history-table' }, el('thead', {}, el('tr', {}, ['版本', '状态', '操作', '修改人', '审核人', '原因', '时间'].map(x => el('th', {}, x)))),
      el('tbody', {}, (h.versions || []).map(v => el('tr', {}, el('td', {}, el('a', { href: '#', onclick: (ev) => { ev.preventDefault(); showHistory(number, v.version); } }, '第 ' + v.version + ' 版')),
        el('td', {}, stateBadge(v.state)), el('td', {}, v.change_action), el('td', {}, v.changed_by), el('td', {}, v.approved_by), el('td', {}, v.change_reason), el('td', {}, when(v.updated_unix)))))),
    (h.change_requests || []).length ? el('div', {}, el('h2', {}, '变更申请'), el('table', {}, el('tbody', {}, h.change_requests.map(c => el('tr', {},
      el('td', {}, c.kind === 'change' ? '变更' : '补充'), el('td', {}, c.category || '基本信息'), el('td', {}, (c.fields || []).map(f => f.field + '=' + f.value).join('，')),
      el('td', {}, c.state === 'pending' ? '待审核' : c.state === 'approved' ? '已同意' : '已驳回'), el('td', {}, c.reason), el('td', {}, c.decision_reason)))))) : null,
    el('div', { class: 'actions' }, back)));
}

async function showMine() {
  if (me.user.teacher_number) await showTeacher(me.user.teacher_number);
}

// ---- review ----

async function showQueue(token) {
  const body = el('div', {}, el('div', { class: 'loading' }, '正在查询…'));
  setMain(el('h1', {}, '审核队列（先到先审）'), el('div', { class: 'card' }, body));
  try {
    const q = await call('ReviewQueue', { page_size: 50, page_token: token || '' });
    const rows = (q.items || []).map(it => {
      const reason = el('input', { placeholder: '退回原因（退回时必填）', class: 'reason' });
      const msg = el('td', {});
      const approve = el('button', { class: 'approve' }, '通过');
      const back = el('button', { class: 'danger' }, '退回');
      const decide = (decision) => once(decision === 'APPROVE' ? approve : back, async () => {
        msg.replaceChildren();
        try {
          if (it.step === 'change_request') await call('DecideChange', { id: it.change_request_id, approve: decision === 'APPROVE', reason: reason.value });
          else await call('ReviewTeacher', { teacher_number: it.teacher_number, decision, reason: reason.value });
          msg.replaceChildren(el('span', { class: 'badge effective' }, decision === 'APPROVE' ? '已通过' : '已退回'));
          approve.disabled = back.disabled = true;
        } catch (e) { msg.append(errorBox(e)); }
      });
      approve.addEventListener('click', () => decide('APPROVE'));
      back.addEventListener('click', () => decide('RETURN'));
      const actionable = it.step !== 'correction';
      return el('tr', {}, el('td', {}, el('a', { href: '#', onclick: (ev) => { ev.preventDefault(); showTeacher(it.teacher_number); } }, it.teacher_number)),
        el('td', {}, it.name), el('td', {}, it.school_code), el('td', {}, STEPS[it.step] || it.step), el('td', {}, when(it.waiting_since_unix)),
        el('td', {}, actionable ? reason : ''), el('td', {}, actionable ? [approve, ' ', back] : ''), msg);
    });
    body.replaceChildren(careersWaitingNote(q.careers), el('table', { id: 'queue-table' }, el('thead', {}, el('tr', {}, ['教师编号', '姓名', '学校', '环节', '等待自', '原因', '操作', ''].map(h => el('th', {}, h)))),
      el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { colspan: 8, class: 'hint' }, '没有等待您审核的记录')))),
      el('div', { class: 'pager' }, q.next_page_token ? el('button', { class: 'secondary', onclick: () => showQueue(q.next_page_token) }, '下一页') : null));
  } catch (e) { body.replaceChildren(errorBox(e)); }
}

// ---- imports ----

async function upload(params, file) {
  const query = new URLSearchParams(params).toString();
  return fetch('/console/import?' + query, { method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/octet-stream', 'X-CSRF-Token': csrf() }, body: file });
}

async function showImport() {
  const cat = await catalog();
  const province = me.unit_level === 1;
  const kinds = [];
  if (province) kinds.push(['units', '', '单位（地市、区县、学校）'], ['teachers', '', '教师基本信息']);
  for (const c of cat.categories.slice(1)) kinds.push(['category', c.code, c.label]);
  const kind = el('select', { id: 'import-kind' }, kinds.map(([k, c, l], i) => el('option', { value: String(i) }, l)));
  const file = el('input', { id: 'import-file', type: 'file', accept: '.xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  const templateName = () => { const [k, c] = kinds[Number(kind.value)]; return k === 'category' ? c : k; };
  const templateLink = el('a', { class: 'button-link', id: 'import-template', href: '#' }, '下载此模板（Excel）');
  templateLink.addEventListener('click', (ev) => {
    ev.preventDefault();
    const a = el('a', { href: '/console/template?' + new URLSearchParams({ name: templateName() }).toString(),
      download: kinds[Number(kind.value)][2] + '导入模板.xlsx' });
    document.body.append(a); a.click(); a.remove();
  });
  const strict = el('input', { id: 'import-strict', type: 'checkbox', class: 'check' });
  const out = el('div', { id: 'import-result' });
  const check = el('button', { id: 'import-check' }, '检查文件（试导入）');
  const apply = el('button', { id: 'import-apply', class: 'secondary', disabled: true }, '正式导入');
  const params = (dry) => { const [k, c] = kinds[Number(kind.value)]; return { kind: k, category: c, dry_run: dry ? '1' : '0', all_or_nothing: strict.checked ? '1' : '0' }; };
  const run = (dry) => async () => {
    out.replaceChildren();
    if (!file.files.length) { out.append(el('div', { class: 'error' }, '请先选择文件')); return; }
    const res = await upload(params(dry), file.files[0]);
    const data = await res.json().catch(() => ({ code: 'unknown', message: '服务器没有给出可读的回答' }));
    if (!res.ok) { out.append(errorBox(new ApiError(data.code, data.message))); return; }
    const problems = data.problems || [];
    out.append(el('div', { class: problems.length ? 'error' : 'ok', id: 'import-summary' },
      (dry ? '试导入：' : '导入完成：') + '读取 ' + data.rows_read + ' 行，正确 ' + data.rows_valid + ' 行，' +
      (dry ? '可导入 ' + data.rows_valid : '已导入 ' + data.rows_applied) + ' 行，问题 ' + data.problems_total + ' 处' +
      (data.encoding === 'xlsx' ? '（Excel 工作簿）' : data.encoding ? '（文件编码 ' + data.encoding + '）' : '')));
    if (problems.length) {
      const download = el('button', { class: 'secondary', id: 'import-report' }, '下载问题清单（Excel 可打开）');
      download.addEventListener('click', () => once(download, async () => {
        const r = await upload({ ...params(true), format: 'csv' }, file.files[0]);
        const blob = await r.blob();
        const a = el('a', { href: URL.createObjectURL(blob), download: '导入问题清单.csv' });
        document.body.append(a); a.click(); a.remove();
      }));
      out.append(el('table', { id: 'problem-table' }, el('thead', {}, el('tr', {}, ['行', '列', '列名', '值', '规则'].map(h => el('th', {}, h)))),
        el('tbody', {}, problems.map(p => el('tr', {}, el('td', { class: 'num' }, p.row), el('td', {}, p.column), el('td', {}, p.column_label), el('td', {}, p.value), el('td', {}, p.rule))))),
        el('div', { class: 'actions' }, download));
    }
    apply.disabled = !dry || Number(data.rows_valid) === 0 || (strict.checked && problems.length > 0);
  };
  check.addEventListener('click', () => once(check, run(true)));
  apply.addEventListener('click', () => once(apply, async () => { await run(false)(); apply.disabled = true; }));
  file.addEventListener('change', () => { apply.disabled = true; out.replaceChildren(); });
  setMain(el('h1', {}, '数据导入'), el('div', { class: 'card' },
    el('p', { class: 'hint' }, '先下载模板，在 Excel 或 WPS 中填写（代码列可从下拉列表选择，“填写说明”工作表列出每列的规则），再“检查文件”：系统逐行检查并列出每个问题（行、列、值、规则），不保存任何数据；确认无误后再“正式导入”。也可上传 CSV（UTF-8 或 GB18030 编码），第一行为表头（列名或中文列名均可）。'),
    el('div', { class: 'row' }, el('div', {}, el('label', { for: 'import-kind' }, '导入模板'), kind), el('div', { class: 'bottom' }, templateLink),
      el('div', {}, el('label', { for: 'import-file' }, '选择文件（.xlsx 或 .csv）'), file)),
    el('label', { class: 'inline' }, strict, ' 全部正确才导入（有任何问题则一行都不导入）'),
    el('div', { class: 'actions' }, check, apply), out));
}

// ---- accounts ----

async function showAccounts() {
  const body = el('div', {}, el('div', { class: 'loading' }, '正在查询…'));
  const msg = el('div', { id: 'account-message' });
  const load = async () => {
    try {
      const r = await call('ListUsers', { include_below: true });
      body.replaceChildren(el('table', { id: 'account-table' },
        el('thead', {}, el('tr', {}, ['用户名', '单位', '角色', '状态', '创建时间', '操作'].map(h => el('th', {}, h)))),
        el('tbody', {}, (r.users || []).map(u => {
          const act = (label, method, body, cls) => {
            const b = el('button', { class: cls || 'secondary' }, label);
            b.addEventListener('click', () => once(b, async () => {
              msg.replaceChildren();
              try {
                const res = await call(method, body);
                if (res.initial_password) msg.append(el('div', { class: 'ok' }, u.username + ' 的新初始密码（仅显示一次，请当面交给本人）：', el('b', {}, res.initial_password)));
                else msg.append(el('div', { class: 'ok' }, '已完成：' + label + ' ' + u.username));
                load();
              } catch (e) { msg.append(errorBox(e)); }
            }));
            return b;
          };
          const state = u.disabled ? '已停用' : u.locked ? '已锁定' : u.must_change_password ? '待改初始密码' : '正常';
          return el('tr', {}, el('td', {}, u.username), el('td', {}, u.unit_code), el('td', {}, ROLES[u.role] || u.role), el('td', {}, state), el('td', {}, when(u.created_unix)),
            el('td', {}, u.username === me.user.username ? '' : [act('重置密码', 'ResetPassword', { username: u.username }), ' ',
              u.locked ? act('解锁', 'UnlockUser', { username: u.username }) : null, ' ',
              act(u.disabled ? '启用' : '停用', 'SetUserDisabled', { username: u.username, disabled: !u.disabled }, u.disabled ? 'secondary' : 'danger')]));
        }))));
    } catch (e) { body.replaceChildren(errorBox(e)); }
  };
  const name = el('input', { id: 'account-name' });
  const unit = el('input', { id: 'account-unit', value: me.user.unit_code });
  const role = el('select', { id: 'account-role' }, Object.entries(ROLES).filter(([k]) => k !== 'USER_ROLE_TEACHER').map(([k, v]) => el('option', { value: k }, v)));
  const create = el('button', { id: 'account-create', type: 'submit' }, '新建账号');
  const form = el('form', { class: 'card', onsubmit: (ev) => {
    ev.preventDefault();
    once(create, async () => {
      msg.replaceChildren();
      try {
        const r = await call('CreateUser', { username: name.value.trim(), unit_code: unit.value.trim(), role: role.value });
        msg.append(el('div', { class: 'ok' }, '已新建 ' + r.user.username + '，初始密码（仅显示一次，首次登录须修改）：', el('b', {}, r.initial_password)));
        name.value = '';
        load();
      } catch (e) { msg.append(errorBox(e)); }
    });
  } }, el('h2', {}, '新建账号'), el('p', { class: 'hint' }, '系统管理员管理本单位的账号和下一级单位的系统管理员账号。'),
    el('div', { class: 'row' }, el('div', {}, el('label', { for: 'account-name' }, '用户名'), name), el('div', {}, el('label', { for: 'account-unit' }, '单位代码'), unit),
      el('div', {}, el('label', { for: 'account-role' }, '角色'), role)), el('div', { class: 'actions' }, create));
  setMain(el('h1', {}, '账号管理'), form, msg, el('div', { class: 'card' }, body));
  load();
}

// ---- audit ----

async function showAudit() {
  const actor = el('input', { id: 'audit-actor', placeholder: '用户名' });
  const action = el('input', { id: 'audit-action', placeholder: '如 teacher. 或 review.return' });
  const target = el('input', { id: 'audit-target', placeholder: '教师编号、用户名等' });
  const body = el('div');
  const search = el('button', { id: 'audit-search', type: 'submit' }, '查询');
  const run = async () => {
    body.replaceChildren(el('div', { class: 'loading' }, '正在查询…'));
    try {
      const r = await call('QueryAudit', { actor: actor.value.trim(), action: action.value.trim(), target: target.value.trim(), limit: 200 });
      body.replaceChildren(el('table', { id: 'audit-table' }, el('thead', {}, el('tr', {}, ['时间', '用户', '操作', '对象', '结果', '说明'].map(h => el('th', {}, h)))),
        el('tbody', {}, (r.entries || []).map(e => el('tr', {}, el('td', {}, when(e.at_unix)), el('td', {}, e.actor), el('td', {}, e.action), el('td', {}, e.target),
          el('td', {}, el('span', { class: 'badge ' + (e.result === 'ok' ? 'effective' : 'returned') }, e.result)), el('td', {}, e.detail))))));
    } catch (e) { body.replaceChildren(errorBox(e)); }
  };
  setMain(el('h1', {}, '审计日志'), el('form', { class: 'card', onsubmit: (ev) => { ev.preventDefault(); once(search, run); } },
    el('div', { class: 'row' }, el('div', {}, el('label', { for: 'audit-actor' }, '用户'), actor), el('div', {}, el('label', { for: 'audit-action' }, '操作'), action),
      el('div', {}, el('label', { for: 'audit-target' }, '对象'), target)), el('div', { class: 'actions' }, search)), el('div', { class: 'card' }, body));
  run();
}

// ---- sync health ----

async function showSync() {
  setMain(el('div', { class: 'loading' }, '正在查询…'));
  let h;
  try { h = await call('GetSyncHealth', {}); } catch (e) { setMain(errorBox(e)); return; }
  const kv = (k, v) => [el('div', { class: 'k' }, k), el('div', { class: 'v' }, v === undefined ? '' : String(v))];
  setMain(el('h1', {}, '与全国节点的同步'), el('div', { class: 'card', id: 'sync-health' },
    h.last_error ? el('div', { class: 'error' }, '最近一次同步失败：' + h.last_error) : el('div', { class: 'ok' }, '同步正常'),
    el('div', { class: 'fields' }, kv('自动同步', h.scheduled ? '已开启' : '未开启'), kv('最近一次尝试', when(h.last_attempt_unix)), kv('最近一次成功', when(h.last_success_unix)),
      kv('下次同步', when(h.next_run_unix)), kv('连续失败次数', h.consecutive_failures), kv('待同步的变更', h.backlog),
      kv('全国节点退回的记录', h.open_rejections), kv('学校名录版本', h.school_registry_version), kv('本省名录学校数', h.registry_schools))),
    (h.newest_rejections || []).length ? el('div', { class: 'card' }, el('h2', {}, '全国节点退回的记录'), el('table', {}, el('tbody', {}, h.newest_rejections.map(r =>
      el('tr', {}, el('td', {}, r.teacher_number), el('td', {}, r.field), el('td', {}, r.reason)))))) : null);
}

// ---- progress ----

async function showProgress() {
  setMain(el('div', { class: 'loading' }, '正在统计…'));
  let p;
  try { p = await call('Progress', {}); } catch (e) { setMain(errorBox(e)); return; }
  const pct = (a, b) => b > 0 ? Math.round(1000 * a / b) / 10 : 0;
  const row = (r) => el('tr', {}, el('td', {}, r.unit_name + '（' + r.unit_code + '）'), el('td', { class: 'num' }, r.entered), el('td', { class: 'num' }, r.submitted),
    el('td', { class: 'num' }, r.school_approved), el('td', { class: 'num' }, r.effective), el('td', { class: 'num' }, r.returned),
    el('td', {}, el('div', { class: 'bar', title: pct(Number(r.effective), Number(r.entered)) + '%' }, el('span', { style: false }))), el('td', { class: 'num' }, pct(Number(r.effective), Number(r.entered)) + '%'));
  const table = el('table', { id: 'progress-table' }, el('thead', {}, el('tr', {}, ['单位', '已录入', '已提交', '学校已审', '已生效', '退回', '生效进度', ''].map(h => el('th', {}, h)))),
    el('tbody', {}, row(p.total), (p.children || []).map(row)));
  // Bar widths are set through the CSS object model (no inline style attributes under the CSP).
  setMain(el('h1', {}, '填报进度'), el('div', { class: 'card' }, table),
    el('div', { class: 'card' }, el('h2', {}, '尚未生效的教师（共 ' + p.incomplete_total + ' 人）'),
      el('table', {}, el('tbody', {}, (p.incomplete || []).slice(0, 50).map(t => el('tr', {}, el('td', {}, t.teacher_number), el('td', {}, t.name), el('td', {}, stateBadge(t.state))))))));
  const bars = table.querySelectorAll('.bar > span');
  [p.total, ...(p.children || [])].forEach((r, i) => { bars[i].style.width = pct(Number(r.effective), Number(r.entered)) + '%'; });
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('logout').addEventListener('click', logout);
  start();
});
