// Accounts of the user's unit and below: create, reset, unlock, disable.
import { call } from '../kit/api.js';
import { confirmButton, el, errorBox, once, setMain, when } from '../kit/dom.js';
import { ROLES } from '../kit/labels.js';
import { me } from '../kit/session.js';
import { dataTable } from '../kit/table.js';

export async function showAccounts() {
  const body = el('div', {}, el('div', { class: 'loading' }, '正在查询…'));
  const msg = el('div', { id: 'account-message' });
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
                msg.append(
                  el(
                    'div',
                    { class: 'ok' },
                    u.username + ' 的新初始密码（仅显示一次，请当面交给本人）：',
                    el('b', {}, res.initial_password),
                  ),
                );
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
  const unit = el('input', { id: 'account-unit', value: me.user.unit_code });
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
              unit_code: unit.value.trim(),
              role: role.value,
            });
            msg.append(
              el(
                'div',
                { class: 'ok' },
                '已新建 ' + r.user.username + '，初始密码（仅显示一次，首次登录须修改）：',
                el('b', {}, r.initial_password),
              ),
            );
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
      el('div', {}, el('label', { for: 'account-unit' }, '单位代码'), unit),
      el('div', {}, el('label', { for: 'account-role' }, '角色'), role),
    ),
    el('div', { class: 'actions' }, create),
  );
  setMain(el('h1', {}, '账号管理'), form, msg, el('div', { class: 'card' }, body));
  load();
}
