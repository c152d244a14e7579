// Accounts of the user's unit and below: create, reset, unlock, disable.
import { call } from '../kit/api.js';
import { confirmButton, el, errorBox, once, setMain, when } from '../kit/dom.js';
import { LEVELS, ROLES } from '../kit/labels.js';
import { me } from '../kit/session.js';
import { dataTable } from '../kit/table.js';
import { unitPicker } from '../kit/unit_picker.js';
import { accountSlips, teacherSlips } from './account_slips.js';

export async function showAccounts() {
  const body = el('div', {}, el('div', { class: 'loading' }, '正在查询…'));
  const msg = el('div', { id: 'account-message' });
  const slips = el('div', { class: 'print-area' });
  const load = async () => {
    try {
      const r = await call('ListUsers', { include_below: true });
      // The buttons of one account's row.
      const actions = (u) => {
        // `confirm`: asked first, a second click does it (停用, 重置密码).
        const act = (label, method, body, cls, confirm) => {
          const run = async () => {
            msg.replaceChildren();
            try {
              const res = await call(method, body);
              if (res.initial_password)
                slips.replaceChildren(accountSlips([res], u.username + ' 的密码已重置'));
              else msg.append(el('div', { class: 'ok' }, '已完成：' + label + ' ' + u.username));
              load();
            } catch (e) {
              msg.append(errorBox(e));
            }
          };
          if (confirm) return confirmButton(label, confirm, run, { class: cls || 'secondary' });
          const b = el('button', { class: cls || 'secondary' }, label);
          b.addEventListener('click', () => once(b, run));
          return b;
        };
        return u.username === me.user.username
          ? ''
          : [
              act(
                '重置密码',
                'ResetPassword',
                { username: u.username },
                'secondary',
                '确认重置 ' + u.username + ' 的密码？再点一次',
              ),
              ' ',
              u.locked ? act('解锁', 'UnlockUser', { username: u.username }) : null,
              ' ',
              act(
                u.disabled ? '启用' : '停用',
                'SetUserDisabled',
                { username: u.username, disabled: !u.disabled },
                u.disabled ? 'secondary' : 'danger',
                u.disabled ? null : '确认停用 ' + u.username + '？再点一次',
              ),
            ];
      };
      const stateOf = (u) =>
        u.disabled
          ? '已停用'
          : u.locked
            ? '已锁定'
            : u.must_change_password
              ? '待改初始密码'
              : '正常';
      body.replaceChildren(
        dataTable({
          id: 'account-table',
          rows: r.users || [],
          empty: '没有账号',
          columns: [
            { label: '用户名', cell: (u) => u.username, sort: (u) => u.username },
            {
              label: '单位',
              cell: (u) => u.unit_name || u.unit_code,
              sort: (u) => u.unit_code,
            },
            { label: '角色', cell: (u) => ROLES[u.role] || u.role, sort: (u) => u.role },
            { label: '状态', cell: stateOf, sort: stateOf },
            {
              label: '创建时间',
              cell: (u) => when(u.created_unix),
              sort: (u) => Number(u.created_unix),
            },
            { label: '操作', cell: actions },
          ],
        }),
      );
    } catch (e) {
      body.replaceChildren(errorBox(e));
    }
  };
  const name = el('input', { id: 'account-name' });
  const unit = unitPicker({
    id: 'account-unit',
    label: '账号所属单位',
    root: { code: me.user.unit_code, name: me.unit_name, level: me.unit_level },
  });
  const role = el(
    'select',
    { id: 'account-role' },
    Object.entries(ROLES)
      .filter(([k]) => k !== 'USER_ROLE_TEACHER')
      .map(([k, v]) => el('option', { value: k }, v)),
  );
  const create = el('button', { id: 'account-create', type: 'submit' }, '新建账号');
  const form = el(
    'form',
    {
      class: 'card',
      onsubmit: (ev) => {
        ev.preventDefault();
        once(create, async () => {
          msg.replaceChildren();
          try {
            const r = await call('CreateUser', {
              username: name.value.trim(),
              unit_code: unit.value,
              role: role.value,
            });
            slips.replaceChildren(accountSlips([r], '已新建账号 ' + r.user.username));
            name.value = '';
            load();
          } catch (e) {
            msg.append(errorBox(e));
          }
        });
      },
    },
    el('h2', {}, '新建账号'),
    el('p', { class: 'hint' }, '系统管理员管理本单位的账号和下一级单位的系统管理员账号。'),
    el(
      'div',
      { class: 'row' },
      el('div', {}, el('label', { for: 'account-name' }, '用户名'), name),
      el('div', {}, el('label', { for: 'account-unit' }, '所属单位'), unit),
      el('div', {}, el('label', { for: 'account-role' }, '角色'), role),
    ),
    el('div', { class: 'actions' }, create),
  );
  const level = Number(me.unit_level);
  setMain(
    el('h1', {}, '账号管理'),
    slips,
    level < 4 ? childAccountsCard(slips, load) : teacherAccountsCard(slips),
    form,
    msg,
    el('div', { class: 'card' }, el('h2', {}, '本单位及下级单位的账号'), body),
  );
  load();
}

// The units one level down, each with its accounts and whether its system
// administrator exists yet; a click on a unit shows the level below it.
// From the user's own unit, every missing administrator is created at once.
function childAccountsCard(slips, reloadAccounts) {
  const path = [{ code: me.user.unit_code, name: me.unit_name }];
  const body = el('div', {}, el('div', { class: 'loading' }, '正在查询…'));
  const card = el(
    'div',
    { class: 'card', id: 'child-accounts' },
    el('h2', {}, '下级单位账号开通情况'),
    el(
      'p',
      { class: 'hint' },
      '系统管理员管理本单位的账号和直接下级单位的系统管理员账号；下级单位的其他账号由其系统管理员开通。',
    ),
    body,
  );
  const load = async () => {
    const here = path[path.length - 1];
    try {
      const r = await call('ListChildAccounts', { unit_code: here.code });
      const children = r.children || [];
      const missing = Number(r.missing_sysadmins || 0);
      const own = path.length === 1;
      const create =
        own && missing > 0
          ? el(
              'button',
              { type: 'button', id: 'create-missing-admins' },
              '为 ' + missing + ' 个尚未开通的单位生成系统管理员账号',
            )
          : null;
      if (create)
        create.addEventListener('click', () =>
          once(create, async () => {
            try {
              const made = await call('CreateMissingAdmins', {});
              slips.replaceChildren(
                accountSlips(
                  made.accounts || [],
                  '已生成 ' + (made.accounts || []).length + ' 个系统管理员账号',
                ),
              );
              await load();
              reloadAccounts();
              slips.scrollIntoView();
            } catch (e) {
              body.prepend(errorBox(e));
            }
          }),
        );
      const crumbs = el(
        'nav',
        { class: 'crumbs', 'aria-label': '单位层级' },
        path.map((u, i) =>
          i === path.length - 1
            ? el('b', {}, u.name)
            : [
                el(
                  'button',
                  {
                    type: 'button',
                    onclick: () => {
                      path.splice(i + 1);
                      load();
                    },
                  },
                  u.name,
                ),
                ' › ',
              ],
        ),
      );
      body.replaceChildren(
        crumbs,
        el(
          'div',
          { class: 'list-head', id: 'child-summary', role: 'status' },
          '下级单位 ' + children.length + ' 个，',
          missing
            ? el('b', { class: 'warn-text' }, missing + ' 个尚未开通系统管理员')
            : '系统管理员均已开通',
        ),
        create ? el('div', { class: 'actions' }, create) : '',
        dataTable({
          id: 'child-account-table',
          rows: children,
          empty: '没有下级单位',
          columns: [
            {
              label: '单位',
              sort: (c) => c.unit.code,
              cell: (c) =>
                Number(c.unit.level) < 4
                  ? el(
                      'a',
                      {
                        href: '#',
                        onclick: (ev) => {
                          ev.preventDefault();
                          path.push({ code: c.unit.code, name: c.unit.name });
                          load();
                        },
                      },
                      c.unit.name,
                    )
                  : c.unit.name,
            },
            { label: '级别', cell: (c) => LEVELS[c.unit.level] || '' },
            {
              label: '系统管理员',
              sort: (c) => (c.sysadmins || []).length,
              cell: (c) =>
                (c.sysadmins || []).length
                  ? c.sysadmins.join('、')
                  : el('span', { class: 'badge missing' }, '尚未开通'),
            },
            { label: '信息管理员', cell: (c) => String(c.managers || 0) },
            { label: '查询员', cell: (c) => String(c.queriers || 0) },
            {
              label: '教师账号',
              cell: (c) => (Number(c.unit.level) === 4 ? String(c.teachers || 0) : '—'),
            },
          ],
        }),
      );
    } catch (e) {
      body.replaceChildren(errorBox(e));
    }
  };
  load();
  return card;
}

// A school's teachers' self-service accounts (user name = teacher number),
// created for every effective teacher who has none, with a list to print.
function teacherAccountsCard(slips) {
  const out = el('div');
  const make = el(
    'button',
    { type: 'button', id: 'create-teacher-accounts' },
    '为本校教师开通自助账号',
  );
  make.addEventListener('click', () =>
    once(make, async () => {
      out.replaceChildren();
      try {
        const r = await call('CreateTeacherAccounts', { unit_code: me.user.unit_code });
        const accounts = r.accounts || [];
        if (!accounts.length) {
          out.append(el('div', { class: 'hint' }, '本校已生效的教师都已有自助账号'));
          return;
        }
        slips.replaceChildren(teacherSlips(accounts, me.unit_name));
        slips.scrollIntoView();
      } catch (e) {
        out.append(errorBox(e));
      }
    }),
  );
  return el(
    'div',
    { class: 'card', id: 'teacher-accounts' },
    el('h2', {}, '教师自助账号'),
    el(
      'p',
      { class: 'hint' },
      '为本校已生效、尚无账号的教师开通自助账号，教师登录后查看、补充本人信息和提出变更申请。',
    ),
    el('div', { class: 'actions' }, make),
    out,
  );
}
