// The provincial web console's entry module: the pages each role has, the
// start after login, and the moments a session begins and ends. Screens are
// in screens/, the kit they share in kit/ (docs/architecture.md, "The web
// console"). This is the only module the page loads.
import { call, csrf } from './kit/api.js';
import { errorBox, setMain } from './kit/dom.js';
import { LEVELS, ROLES, loadLabels } from './kit/labels.js';
import { me, setMe } from './kit/session.js';
import { go, setPages } from './kit/shell.js';
import { showAccounts } from './screens/accounts.js';
import { showAudit } from './screens/audit.js';
import { showCareers } from './screens/careers.js';
import { showImport } from './screens/import.js';
import { logout, setUserNameLabel, showChangePassword, showLogin } from './kit/login.js';
import { showProgress } from './screens/progress.js';
import { showQueue } from './screens/queue.js';
import { showSync } from './screens/sync.js';
import { showTodo } from './screens/todo.js';
import { showMine, showTeachers } from './screens/teachers.js';

function pages() {
  const role = me.user.role,
    level = me.unit_level;
  const list = [];
  if (role === 'USER_ROLE_TEACHER')
    return [
      ['mine', '我的信息', showMine],
      ['password', '修改密码', () => showChangePassword(false)],
    ];
  list.push(['todo', '待办', showTodo]);
  list.push(['teachers', '教师名单', showTeachers]);
  // The school's responsible person (its system administrator account)
  // reviews the school's records too (docs/operator-guide.md).
  const schoolHead = role === 'USER_ROLE_SYSADMIN' && level === 4;
  if (role === 'USER_ROLE_MANAGER' || schoolHead) list.push(['queue', '审核队列', showQueue]);
  if (role === 'USER_ROLE_MANAGER' || role === 'USER_ROLE_QUERIER' || schoolHead)
    list.push(['careers', '调动与变动', showCareers]);
  if (role === 'USER_ROLE_MANAGER' || role === 'USER_ROLE_SYSADMIN')
    list.push(['import', '数据导入', showImport]);
  list.push(['progress', '填报进度', showProgress]);
  if (role === 'USER_ROLE_SYSADMIN') list.push(['accounts', '账号管理', showAccounts]);
  if (role === 'USER_ROLE_SYSADMIN') list.push(['audit', '审计日志', showAudit]);
  if (level === 1 && role !== 'USER_ROLE_QUERIER') list.push(['sync', '同步状态', showSync]);
  list.push(['password', '修改密码', () => showChangePassword(false)]);
  return list;
}

setUserNameLabel('用户名（教师请输入教师编号）');

async function start() {
  // No session cookie pair yet: the login page, without asking the node
  // (a question it would answer 401, an error in the browser's console).
  if (!csrf()) {
    showLogin();
    return;
  }
  try {
    setMe(await call('WhoAmI', {}));
  } catch (e) {
    if (e.code === 'unauthenticated') {
      showLogin();
      return;
    }
    setMain(errorBox(e));
    return;
  }
  document.getElementById('who').hidden = false;
  document.getElementById('who-name').textContent = me.user.username + ' · ' + me.unit_name;
  document.getElementById('who-role').textContent =
    (LEVELS[me.unit_level] || '') + ROLES[me.user.role];
  // The subtitle names the user's level: 学校工作台, 区县工作台, ….
  document.getElementById('node-name').textContent =
    me.user.role === 'USER_ROLE_TEACHER' ? '教师自助' : (LEVELS[me.unit_level] || '') + '工作台';
  if (me.user.must_change_password) {
    document.getElementById('nav').hidden = true;
    showChangePassword(true);
    return;
  }
  // Each user lands on what waits for them: a teacher on their record,
  // staff on 待办.
  go(me.user.role === 'USER_ROLE_TEACHER' ? 'mine' : 'todo');
}

setPages(pages);
window.addEventListener('ntmis:signed-in', () => start());
window.addEventListener('ntmis:signed-out', (ev) => showLogin(ev.detail));

document.addEventListener('DOMContentLoaded', async () => {
  document.getElementById('logout').addEventListener('click', logout);
  try {
    await loadLabels();
  } catch (e) {
    setMain(errorBox(e));
    return;
  }
  start();
});
