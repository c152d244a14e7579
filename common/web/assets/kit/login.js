// Logging in, changing the password (forced at the first login) and
// logging out, the same on both consoles; a console may name what users
// type as their user name (setUserNameLabel).
import { call } from './api.js';
import { el, errorBox, once, setMain } from './dom.js';
import { setMe, signedIn } from './session.js';

let userNameLabel = '用户名';
export function setUserNameLabel(label) {
  userNameLabel = label;
}

export function showLogin(message) {
  document.getElementById('who').hidden = true;
  document.getElementById('nav').hidden = true;
  const user = el('input', {
    id: 'username',
    autocomplete: 'username',
    required: true,
  });
  const pass = el('input', {
    id: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const msg = el('div');
  if (message) msg.append(el('div', { class: 'error', role: 'alert' }, message));
  const submit = el('button', { id: 'login', type: 'submit' }, '登录');
  const form = el(
    'form',
    {
      class: 'card login',
      onsubmit: (ev) => {
        ev.preventDefault();
        once(submit, async () => {
          msg.replaceChildren();
          try {
            await call('Login', {
              username: user.value.trim(),
              password: pass.value,
            });
            signedIn();
          } catch (e) {
            msg.append(errorBox(e));
          }
        });
      },
    },
    el('h1', {}, '用户登录'),
    el('label', { for: 'username' }, userNameLabel),
    user,
    el('label', { for: 'password' }, '密码'),
    pass,
    msg,
    el('div', { class: 'actions' }, submit),
    el(
      'p',
      { class: 'hint' },
      '连续输错 5 次密码，账号将被暂时锁定 15 分钟；长时间不操作会自动退出登录。',
    ),
  );
  setMain(el('div', { class: 'login-wrap' }, form));
  user.focus();
}

export function showChangePassword(forced) {
  const old = el('input', {
    id: 'old-password',
    type: 'password',
    autocomplete: 'current-password',
  });
  const pw1 = el('input', {
    id: 'new-password',
    type: 'password',
    autocomplete: 'new-password',
  });
  const pw2 = el('input', {
    id: 'new-password2',
    type: 'password',
    autocomplete: 'new-password',
  });
  const msg = el('div');
  const submit = el('button', { id: 'change-password', type: 'submit' }, '修改密码');
  setMain(
    el(
      'div',
      { class: 'login-wrap' },
      el(
        'form',
        {
          class: 'card login',
          onsubmit: (ev) => {
            ev.preventDefault();
            once(submit, async () => {
              msg.replaceChildren();
              if (pw1.value !== pw2.value) {
                msg.append(el('div', { class: 'error' }, '两次输入的新密码不一致'));
                return;
              }
              try {
                await call('ChangePassword', {
                  old_password: old.value,
                  new_password: pw1.value,
                });
                showLogin();
                document
                  .querySelector('.login-wrap form')
                  .prepend(el('div', { class: 'ok' }, '密码已修改，请用新密码重新登录'));
              } catch (e) {
                msg.append(errorBox(e));
              }
            });
          },
        },
        el('h1', {}, forced ? '首次登录请修改密码' : '修改密码'),
        forced ? el('p', { class: 'hint' }, '您的密码由系统生成，修改后才能使用其他功能。') : null,
        el('label', { for: 'old-password' }, '原密码'),
        old,
        el('label', { for: 'new-password' }, '新密码'),
        pw1,
        el('label', { for: 'new-password2' }, '再次输入新密码'),
        pw2,
        msg,
        el('div', { class: 'actions' }, submit),
      ),
    ),
  );
}

export async function logout() {
  try {
    await call('Logout', {});
  } catch (e) {
    /* the session is gone either way */
  }
  setMe(null);
  showLogin();
}
