// 账号分发单: new accounts and their one-time initial passwords as sheets to
// print and hand over — one slip per administrator account (unit, user
// name, password, what to do at first login, a line to sign), and for a
// school's teachers one list of names and passwords. The passwords are on
// screen only until the page changes; the node keeps only their hashes.
import { el } from '../kit/dom.js';
import { ROLES } from '../kit/labels.js';

const FIRST_LOGIN =
  '首次登录：在浏览器中打开本系统，用上面的用户名和初始密码登录，按提示设置新密码' +
  '（至少 8 位，含大写字母、小写字母、数字、符号中的至少三类）。初始密码只能用于首次登录，' +
  '请勿转交他人；遗失请找上级系统管理员重置。';

function printButton(id) {
  return el(
    'button',
    { type: 'button', class: 'no-print', id, onclick: () => window.print() },
    '打印分发单',
  );
}

// One slip per account (CreateUserResponse: user, initial_password).
export function accountSlips(accounts, heading) {
  const day = new Date().toLocaleDateString('zh-CN');
  return el(
    'section',
    { class: 'card print-area', id: 'slips', 'aria-label': '账号分发单' },
    el(
      'div',
      { class: 'no-print slips-head' },
      el('h2', {}, heading),
      el(
        'p',
        { class: 'hint' },
        '初始密码只在此显示一次：请现在打印或抄录，离开本页后无法再看到。',
      ),
      printButton('print-slips'),
    ),
    accounts.map((a) =>
      el(
        'div',
        { class: 'slip' },
        el('h3', {}, '账号分发单'),
        el(
          'table',
          { class: 'slip-table' },
          el(
            'tbody',
            {},
            [
              ['单位', (a.user.unit_name || a.user.unit_code) + '（' + a.user.unit_code + '）'],
              ['角色', ROLES[a.user.role] || a.user.role],
              ['用户名', a.user.username],
              ['初始密码', a.initial_password],
            ].map(([k, v]) =>
              el('tr', {}, el('th', { scope: 'row' }, k), el('td', { class: 'mono' }, v)),
            ),
          ),
        ),
        el('p', { class: 'slip-note' }, FIRST_LOGIN),
        el('p', { class: 'sign' }, '签收人：________________　　日期：', day),
      ),
    ),
  );
}

// A school's new teacher accounts as one list to print.
export function teacherSlips(accounts, schoolName) {
  return el(
    'section',
    { class: 'card print-area', id: 'slips', 'aria-label': '教师账号分发单' },
    el(
      'div',
      { class: 'no-print slips-head' },
      el('h2', {}, '已为 ' + accounts.length + ' 名教师开通自助账号'),
      el('p', { class: 'hint' }, '初始密码只在此显示一次：请现在打印，逐人签收。'),
      printButton('print-slips'),
    ),
    el('h3', { class: 'print-title' }, schoolName + ' 教师自助账号分发单'),
    el('p', { class: 'slip-note' }, '用户名即教师编号。' + FIRST_LOGIN),
    el(
      'table',
      { id: 'teacher-slips', class: 'slip-list' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ['序号', '姓名', '用户名（教师编号）', '初始密码', '本人签收'].map((h) =>
            el('th', { scope: 'col' }, h),
          ),
        ),
      ),
      el(
        'tbody',
        {},
        accounts.map((a, i) =>
          el(
            'tr',
            {},
            el('td', {}, String(i + 1)),
            el('td', { class: 'nowrap' }, a.user.teacher_name || ''),
            el('td', { class: 'mono' }, a.user.username),
            el('td', { class: 'mono' }, a.initial_password),
            el('td', { class: 'sign-cell' }, ''),
          ),
        ),
      ),
    ),
  );
}
