// 账号管理: the ministry's central accounts, for administrators: create one
// (with a one-time password to hand over), reset a password, unlock,
// disable or enable.
import { call } from '../kit/api.js';
import { confirmButton, el, errorBox, once, setMain, when } from '../kit/dom.js';
import { me } from '../kit/session.js';
import { dataTable } from '../kit/table.js';

const ROLES = [
  ['CENTRAL_ROLE_QUERIER', '查询员'],
  ['CENTRAL_ROLE_MANAGER', '信息管理员'],
  ['CENTRAL_ROLE_ADMIN', '系统管理员'],
];

function slip(made) {
  return el(
    'div',
    { class: 'ok', id: 'new-password' },
    `账号 ${made.user.username}（${made.user.role_label}）的一次性密码：`,
    el('b', { class: 'mono' }, made.initial_password),
    '。请当面交给本人；首次登录须修改密码。',
  );
}

export async function showAccounts(notice) {
  let list;
  try {
    list = await call('ListCentralUsers', {});
  } catch (e) {
    setMain(errorBox(e));
    return;
  }
  const msg = el('div', {}, notice || null);
  const act = (fn) => async () => {
    msg.replaceChildren();
    try {
      const r = await fn();
      await showAccounts(r && r.initial_password ? slip(r) : el('div', { class: 'ok' }, '已完成'));
    } catch (e) {
      msg.append(errorBox(e));
    }
  };
  const username = el('input', { id: 'new-username', autocomplete: 'off' });
  const role = el(
    'select',
    { id: 'new-role' },
    ROLES.map(([v, l]) => el('option', { value: v }, l)),
  );
  const create = el('button', { type: 'submit', id: 'create-user' }, '创建账号');
  setMain(
    el(
      'div',
      { class: 'card' },
      el('h1', {}, '账号管理'),
      msg,
      el(
        'form',
        {
          onsubmit: (ev) => {
            ev.preventDefault();
            once(
              create,
              act(() =>
                call('CreateCentralUser', {
                  username: username.value.trim(),
                  role: role.value,
                }),
              ),
            );
          },
        },
        el(
          'div',
          { class: 'row' },
          el(
            'div',
            {},
            el('label', { for: 'new-username' }, '用户名（英文字母、数字或 . _ -）'),
            username,
          ),
          el('div', {}, el('label', { for: 'new-role' }, '角色'), role),
          el('div', { class: 'right' }, create),
        ),
      ),
      el('h2', {}, '现有账号'),
      dataTable({
        id: 'accounts-table',
        columns: [
          { label: '用户名', cell: (u) => u.username, sort: (u) => u.username },
          {
            label: '角色',
            cell: (u) => u.role_label,
            sort: (u) => u.role_label,
          },
          {
            label: '状态',
            cell: (u) =>
              u.disabled
                ? el('span', { class: 'badge returned' }, '已停用')
                : u.locked
                  ? el('span', { class: 'badge submitted' }, '已锁定')
                  : u.must_change_password
                    ? el('span', { class: 'badge' }, '待首次登录')
                    : el('span', { class: 'badge effective' }, '正常'),
          },
          { label: '创建时间', cell: (u) => when(u.created_unix) },
          {
            label: '操作',
            cell: (u) =>
              el(
                'div',
                { class: 'actions' },
                el(
                  'button',
                  {
                    type: 'button',
                    class: 'secondary small',
                    onclick: act(() => call('ResetCentralPassword', { username: u.username })),
                  },
                  '重置密码',
                ),
                u.locked
                  ? el(
                      'button',
                      {
                        type: 'button',
                        class: 'secondary small',
                        onclick: act(() => call('UnlockCentralUser', { username: u.username })),
                      },
                      '解锁',
                    )
                  : null,
                u.username === me.user.username
                  ? null
                  : u.disabled
                    ? el(
                        'button',
                        {
                          type: 'button',
                          class: 'secondary small',
                          onclick: act(() =>
                            call('SetCentralUserDisabled', {
                              username: u.username,
                              disabled: false,
                            }),
                          ),
                        },
                        '启用',
                      )
                    : confirmButton(
                        '停用',
                        '确认停用？',
                        act(() =>
                          call('SetCentralUserDisabled', {
                            username: u.username,
                            disabled: true,
                          }),
                        ),
                        { class: 'danger small' },
                      ),
              ),
          },
        ],
        rows: list.users || [],
      }),
    ),
  );
}
