// The ministry's web console's entry module: the pages each role has, the
// start after login, and the moments a session begins and ends. The kit
// (api, dom, session, shell, table, login) is common/web's, shared with the
// provincial console; the screens are in screens/ (docs/architecture.md,
// "The ministry's console"). This is the only module the page loads.
import { call, csrf, setApiPrefix } from './kit/api.js';
import { errorBox, setMain } from './kit/dom.js';
import { logout, showChangePassword, showLogin } from './kit/login.js';
import { me, setMe } from './kit/session.js';
import { go, setPages } from './kit/shell.js';
import { showAccounts } from './screens/accounts.js';
import { showAudit } from './screens/audit.js';
import { showDashboard } from './screens/dashboard.js';
import { showLookup } from './screens/lookup.js';
import { showOutlook } from './screens/outlook.js';
import { showQuality } from './screens/quality.js';
import { showQuestion } from './screens/question.js';
import { pageOfHash } from './screens/view_state.js';

setApiPrefix('/ntmis.v1.NationalQuery/');

function pages() {
  const role = me.user.role;
  const manager = role === 'CENTRAL_ROLE_MANAGER' || role === 'CENTRAL_ROLE_ADMIN';
  const list = [
    ['dash', '全国概览', showDashboard],
    ['question', '自定义查询', showQuestion],
    ['outlook', '退休展望', showOutlook],
    ['quality', '数据质量', showQuality],
  ];
  if (manager) list.push(['lookup', '教师个人查询', showLookup]);
  if (role === 'CENTRAL_ROLE_ADMIN') {
    list.push(['audit', '审计日志', showAudit]);
    list.push(['accounts', '账号管理', showAccounts]);
  }
  list.push(['password', '修改密码', () => showChangePassword(false)]);
  return list;
}

async function start() {
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
  document.getElementById('who-name').textContent = me.user.username;
  document.getElementById('who-role').textContent = me.user.role_label;
  if (me.user.must_change_password) {
    document.getElementById('nav').hidden = true;
    showChangePassword(true);
    return;
  }
  setPages(pages);
  // A bookmarked or sent view opens where it was (the address keeps it).
  const page = pageOfHash(location.hash);
  const known = pages().some(([id]) => id === page);
  go(known ? page : 'dash');
}

window.addEventListener('ntmis:signed-in', start);
window.addEventListener('ntmis:signed-out', (e) => {
  document.getElementById('who').hidden = true;
  showLogin(e.detail);
});
document.getElementById('logout').addEventListener('click', logout);
start();
