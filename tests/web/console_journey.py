"""The provincial web console's journeys in headless Chromium (Selenium).

Accounts down to a school are set up through the console's own JSON API
(as an administrator's browser would); then the people who use the
console every day walk their work in the browser: a school manager
changes a generated password, creates a teacher, fills the form and
contact details and submits; the school returns it with a reason the
teacher reads on their self-service page; it is submitted again,
approved by the school and re-reviewed by the county; after a sync the
national node counts it. A querier sees no edit controls and the API
refuses a forced write; a name like <script> stays text. Each screen is
saved as a PNG.
"""
import argparse
import base64
import csv
import glob
import io
import os
import re
import http.cookiejar
import json
import shlex
import ssl
import subprocess
import sys
import time
import urllib.request

import openpyxl
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

args = None


class Api:
    """A plain client of the console's JSON API, with its own cookies."""
    service = 'ntmis.v1.ProvincialApi/'

    def __init__(self):
        ctx = ssl.create_default_context(cafile=args.ca)
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=ctx), urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self):
        return next((c.value for c in self.jar if c.name == 'ntmis_csrf'), '')

    def call(self, method, body=None, expect=200):
        req = urllib.request.Request(
            args.url + self.service + method, data=json.dumps(body or {}).encode(),
            headers={'Content-Type': 'application/json', 'X-CSRF-Token': self.csrf()}, method='POST')
        try:
            with self.opener.open(req) as res:
                status, data = res.status, json.loads(res.read() or b'{}')
        except urllib.error.HTTPError as e:
            status, data = e.code, json.loads(e.read() or b'{}')
        if status != expect:
            raise AssertionError(f'{method}: HTTP {status} {data}, expected {expect}')
        return data


def login(username, password):
    api = Api()
    api.call('Login', {'username': username, 'password': password})
    return api


def account(parent, username, unit, role, password):
    """Creates an account under `parent` and sets its password."""
    made = parent.call('CreateUser', {'username': username, 'unit_code': unit, 'role': role})
    api = login(username, made['initial_password'])
    api.call('ChangePassword', {'old_password': made['initial_password'], 'new_password': password})
    return login(username, password)


class Browser:
    def __init__(self, name):
        options = webdriver.ChromeOptions()
        options.binary_location = '/usr/bin/chromium'
        self.downloads = f'{args.profile}-{name}-downloads'
        options.add_experimental_option('prefs', {'download.default_directory': self.downloads,
                                                  'download.prompt_for_download': False})
        for a in ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
                  '--disable-background-networking', '--disable-component-update', '--disable-sync',
                  '--disable-quic', '--ignore-certificate-errors', '--window-size=1366,900',
                  f'--user-data-dir={args.profile}-{name}']:
            options.add_argument(a)
        self.d = webdriver.Chrome(service=Service('/usr/bin/chromedriver'), options=options)
        self.d.execute_cdp_cmd('Browser.setDownloadBehavior',
                               {'behavior': 'allow', 'downloadPath': self.downloads})
        # A screen redraws what it shows: an element found a moment ago may
        # be gone by the time it is read, and is looked up again.
        self.wait = WebDriverWait(self.d, 15, poll_frequency=0.02,
                                  ignored_exceptions=[StaleElementReferenceException])
        self.name = name

    def downloaded(self, suffix, timeout=15):
        """The path of the first finished download ending in `suffix`."""
        import glob
        deadline = time.time() + timeout
        while time.time() < deadline:
            done = [f for f in glob.glob(f'{self.downloads}/*{suffix}')]
            if done:
                time.sleep(0.2)
                return done[0]
            time.sleep(0.1)
        raise AssertionError(f'no {suffix} download in {self.downloads}')

    def open(self):
        self.d.get(args.url)
        return self.find('username')

    def find(self, id_):
        return self.wait.until(EC.visibility_of_element_located((By.ID, id_)))

    def text_appears(self, text, timeout=15):
        WebDriverWait(self.d, timeout, poll_frequency=0.02).until(lambda d: text in d.find_element(By.TAG_NAME, 'main').text)

    def type(self, id_, text):
        e = self.find(id_)
        e.clear()
        e.send_keys(text)

    def select(self, id_, value):
        Select(self.find(id_)).select_by_value(value)

    def click(self, id_):
        self.find(id_).click()

    def login(self, username, password):
        self.open()
        self.type('username', username)
        self.type('password', password)
        self.click('login')

    def goto(self, page):
        """Opens a page from the side navigation (staff land on 待办)."""
        self.find('nav-' + page)
        self.click('nav-' + page)

    def shot(self, name):
        time.sleep(0.3)  # let the fonts settle
        self.d.save_screenshot(f'{args.shots}/{name}.png')
        self.accessible(name)
        leaked = re.findall(r'\b(null|undefined|NaN|\[object Object\])\b',
                            self.d.find_element(By.TAG_NAME, 'body').text)
        check(not leaked, f'{name}: no script value shown as text ({leaked})')

    def accessible(self, name):
        """Every screen photographed is checked by axe-core (WCAG 2 A and
        AA): no serious or critical violation."""
        if not self.d.execute_script('return !!window.axe'):
            self.d.execute_script(AXE)
        found = self.d.execute_async_script("""
            const done = arguments[arguments.length - 1];
            axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
              .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                                      nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))
              .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));""")
        bad = [v for v in found if v['impact'] in ('serious', 'critical')]
        for v in found:
            if v not in bad:
                print(f'note - {name}: axe {v["impact"]} {v["id"]}: {v["help"]} {v["nodes"]}')
        check(not bad, f'{name}: no serious or critical accessibility violation (axe-core): {bad}')

    def main_text(self):
        return self.d.find_element(By.TAG_NAME, 'main').text

    def quit(self):
        self.d.quit()


AXE = open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        'node_modules', 'axe-core', 'axe.min.js'), encoding='utf-8').read()


def open_card(b, code):
    """Opens a category's card (a closed <details> when still empty)."""
    b.wait.until(EC.presence_of_element_located((By.ID, 'card-' + code)))
    b.d.execute_script(f"document.getElementById('card-{code}').open = true")


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print('ok -', what)


def id_card(region, birth, seq):
    first17 = f'{region}{birth}{seq:03d}'
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first17 + '10X98765432'[sum(int(c) * w for c, w in zip(first17, weights)) % 11]


def national_total():
    out = subprocess.run(shlex.split(args.national_count), check=True, capture_output=True, text=True)
    return json.loads(out.stdout)['total']


def main():
    global args
    p = argparse.ArgumentParser()
    for flag in ['url', 'ca', 'admin', 'password', 'shots', 'sync', 'national-count', 'profile']:
        p.add_argument('--' + flag, required=True)
    args = p.parse_args()
    strong = 'Console-2026-pass'

    # Accounts down to a school, through the JSON API.
    admin = login(args.admin, args.password)
    units = admin.call('ListUnits', {'unit_code': '44'})
    city = units['units'][0]['code']
    county = admin.call('ListUnits', {'unit_code': city})['units'][0]['code']
    school = admin.call('ListUnits', {'unit_code': county})['units'][0]['code']
    city_admin = account(admin, 'city-admin', city, 'USER_ROLE_SYSADMIN', strong)
    county_admin = account(city_admin, 'county-admin', county, 'USER_ROLE_SYSADMIN', strong)
    county_manager = account(county_admin, 'county-mgr', county, 'USER_ROLE_MANAGER', strong)
    school_admin = account(county_admin, 'school-admin', school, 'USER_ROLE_SYSADMIN', strong)
    querier = account(school_admin, 'school-querier', school, 'USER_ROLE_QUERIER', strong)
    entering = school_admin.call('CreateUser', {'username': 'school-clerk', 'unit_code': school,
                                                'role': 'USER_ROLE_MANAGER'})
    national_before = national_total()

    b = Browser('clerk')
    try:
        # A generated password must be changed first.
        b.login('school-clerk', entering['initial_password'])
        b.find('old-password')
        b.shot('01-change-password')
        b.type('old-password', entering['initial_password'])
        b.type('new-password', 'short')
        b.type('new-password2', 'short')
        b.click('change-password')
        b.text_appears('密码')
        b.type('old-password', entering['initial_password'])
        b.type('new-password', strong)
        b.type('new-password2', strong)
        b.click('change-password')
        b.text_appears('密码已修改')
        b.shot('02-login')
        b.type('username', 'school-clerk')
        b.type('password', strong)
        b.click('login')
        b.find('todo-progress')
        check('待办' in b.main_text() and '填报进度' in b.find('todo-progress').text,
              'a school manager lands on 待办 with the school\'s progress')
        b.shot('03a-todo-school')
        b.goto('teachers')
        b.find('teacher-table')
        check('新建教师' in b.main_text(), 'the teacher list has the new-teacher form')
        b.shot('03-teacher-list')

        # A bad ID-card number: the rule is shown, nothing is created.
        b.type('new-name', '林晓雨')
        b.select('new-gender', '2')
        b.type('new-birth', '1990-05-06')
        b.type('new-id', '44010119900506001')
        b.click('create-teacher')
        b.text_appears('须为 18 位')
        b.shot('04-create-refused')
        b.find('new-birth').clear()
        b.type('new-id', id_card('440101', '19900506', 24))
        check(b.find('new-birth').get_attribute('value') == '1990-05-06' and
              b.find('new-gender').get_attribute('value') == '2',
              'birth date and gender are filled from the ID-card number')
        b.click('create-teacher')
        b.find('teacher-notice')
        number = b.find('teacher-notice').text.split('已新建教师 ')[1][:12]
        check(len(number) == 12 and b.find('f-basic-ethnicity'),
              f'teacher {number} created in the browser, and its record opens')

        # The form: fields, a wrong value next to its field, contact details, submit.
        b.click('nav-teachers')
        b.type('teacher-search', '晓雨')
        b.click('teacher-search-go')
        WebDriverWait(b.d, 15, poll_frequency=0.02).until(
            lambda d: len(d.find_elements(By.CSS_SELECTOR, '#teacher-table tbody tr')) == 1)
        check(number in b.find('teacher-table').text, 'a search by part of the name finds the teacher')
        b.d.find_element(By.LINK_TEXT, number).click()
        b.find('f-basic-ethnicity')
        check(not b.find('f-basic-id_card_number').is_enabled(), 'the ID-card field is read-only')
        b.click('submit-teacher')
        b.text_appears('尚需填写')
        for field, value in [('ethnicity', '01'), ('political_status', '13'), ('employment_type', '1'),
                             ('status', '11'), ('post_type', '1'), ('education', '21'), ('degree', '4'),
                             ('title', '3'), ('qualification', '4')]:
            b.select('f-basic-' + field, value)
        b.select('f-basic-nationality', 'CHN')
        check(b.find('f-basic-nationality').text.startswith('') and '中国' in b.find('f-basic-nationality').text,
              'nationality is chosen by name (中国), not typed as a code')
        b.type('f-basic-hire_date', '2999-01-01')
        b.click('save-basic')
        WebDriverWait(b.d, 15).until(lambda d: d.find_element(By.ID, 'err-basic-hire_date').text != '')
        check('不能晚于今天' in b.find('err-basic-hire_date').text, 'a wrong date is shown next to its field with the rule')
        b.shot('05-field-error')
        b.type('f-basic-hire_date', '2012-09-01')
        b.click('save-basic')
        b.find('card-contact')
        b.d.execute_script("document.getElementById('card-contact').open = true")
        b.type('f-contact-mobile', '1380013800')
        b.type('f-contact-email', 'lin@school')
        b.click('save-contact')
        WebDriverWait(b.d, 15).until(lambda d: d.find_element(By.ID, 'err-contact-mobile').text != '')
        check('11 位手机号码' in b.find('err-contact-mobile').text and
              '电子邮箱地址' in b.find('err-contact-email').text,
              'a 10-digit mobile and an e-mail without a domain are refused at their fields')
        b.shot('05b-contact-errors')
        b.type('f-contact-mobile', '13800138000')
        b.type('f-contact-email', 'lin@example.cn')
        b.click('save-contact')
        b.text_appears('共 1 条')
        b.shot('06-teacher-form')
        b.click('submit-teacher')
        b.text_appears('待学校审核')
        check('待学校审核' in b.main_text(), 'the record is submitted')
        b.click('logout')
        b.find('username')
        b.shot('07-logged-out')
    finally:
        b.quit()

    # The teacher's own account; the school returns the record with a reason.
    # The school's administrator opens the teachers' accounts in the console
    # and prints the list of names and initial passwords.
    sa = Browser('school-accounts')
    try:
        sa.login('school-admin', strong)
        sa.goto('accounts')
        sa.click('create-teacher-accounts')
        sa.find('teacher-slips')
        row = sa.d.find_element(By.XPATH, f"//table[@id='teacher-slips']//tr[td[text()='{number}']]")
        cells = row.find_elements(By.TAG_NAME, 'td')
        teacher_password = cells[3].text
        check(cells[1].text != '' and len(teacher_password) >= 8,
              'the printable list names each teacher beside the initial password')
        sa.shot('07a-teacher-accounts')
        check(sa.d.find_element(By.TAG_NAME, 'body').text.count('本人签收') == 1, 'one list with a column to sign')
    finally:
        sa.quit()
    # The school's responsible person returns it (the default accounts: the
    # clerk who entered it may not review it).
    r = Browser('approver')
    try:
        r.login('school-admin', strong)
        r.goto('queue')
        r.find('queue-table')
        row = r.d.find_element(By.XPATH, f"//tr[td/a[text()='{number}']]")
        row.find_element(By.CSS_SELECTOR, 'button.danger').click()
        r.text_appears('退回')
        WebDriverWait(r.d, 15).until(lambda d: '原因' in d.find_element(By.TAG_NAME, 'main').text)
        check('原因' in r.main_text(), 'a return without a reason is refused')
        r.shot('08-return-needs-reason')
        row = r.d.find_element(By.XPATH, f"//tr[td/a[text()='{number}']]")
        row.find_element(By.CSS_SELECTOR, 'input.reason').send_keys('参加工作年月与档案不符，请核对')
        row.find_element(By.CSS_SELECTOR, 'button.danger').click()
        r.text_appears('已退回')
        r.shot('09-returned')
    finally:
        r.quit()

    t = Browser('teacher')
    try:
        t.login(number, teacher_password)
        t.find('old-password')
        t.type('old-password', teacher_password)
        t.type('new-password', strong)
        t.type('new-password2', strong)
        t.click('change-password')
        t.text_appears('密码已修改')
        t.type('username', number)
        t.type('password', strong)
        t.click('login')
        t.find('return-reason')
        check('参加工作年月与档案不符' in t.find('return-reason').text, 'the teacher reads why the record was returned')
        check(not t.find('f-basic-title').is_enabled(), 'a teacher cannot write a staff field')
        t.shot('10-teacher-self-service')
        # A study entry entered wrong is corrected in place, and one entered
        # twice is deleted: the record keeps one right entry.
        open_card(t, 'study_history')
        for field, value in [('start_date', '2004-09-01'), ('end_date', '2008-07-01'),
                             ('institution', '华东师大'), ('education', '21')]:
            (t.select if field == 'education' else t.type)('f-study_history-' + field, value)
        t.click('save-study_history')
        t.find('edit-study_history-1')
        open_card(t, 'study_history')
        for field, value in [('start_date', '2004-09-01'), ('institution', '华东师范大学（重复）'),
                             ('education', '21')]:
            (t.select if field == 'education' else t.type)('f-study_history-' + field, value)
        t.click('save-study_history')
        t.find('delete-study_history-2')
        t.click('edit-study_history-1')
        check(t.find('f-study_history-institution').get_attribute('value') == '华东师大',
              '修改 fills the form with the entry')
        check('修改第 1 条' in t.find('form-title-study_history').text, 'the form says which entry it corrects')
        t.type('f-study_history-institution', '华东师范大学')
        t.click('save-study_history')
        t.text_appears('第 1 条已修改')
        t.click('delete-study_history-2')
        check('确认' in t.find('delete-study_history-2').text, 'a delete asks for a second click')
        t.click('delete-study_history-2')
        t.text_appears('第 2 条已删除')
        study = t.find('entries-study_history').text
        check('华东师范大学' in study and '华东师大\n' not in study and '重复' not in study and
              not t.d.find_elements(By.ID, 'edit-study_history-2'),
              'the corrected entry replaced the wrong one and the duplicate is gone')
        t.d.execute_script("document.getElementById('card-study_history').scrollIntoView()")
        t.shot('10a-entry-corrected')
        t.click('submit-teacher')
        t.text_appears('待学校审核')
    finally:
        t.quit()

    # The school's responsible person (its system administrator account)
    # approves what the teacher submitted, from its own queue: the default
    # accounts complete the school step (docs/operators.md, "Who reviews").
    h = Browser('school-head')
    try:
        h.login('school-admin', strong)
        h.goto('queue')
        h.find('queue-table')
        check('审核队列' in h.find('nav-queue').text, 'the school head lands on its review queue')
        row = h.d.find_element(By.XPATH, f"//tr[td/a[text()='{number}']]")
        row.find_element(By.CSS_SELECTOR, 'button.approve').click()
        h.text_appears('已通过')
        h.shot('10b-school-head-approves')
    finally:
        h.quit()
    c = Browser('county')
    try:
        c.login('county-mgr', strong)
        c.goto('queue')
        c.find('queue-table')
        c.shot('11-county-queue')
        # Data on screen within 1 s of navigation; a page moves at most 300 KB.
        started = time.monotonic()
        c.d.get(args.url)
        c.find('todo-progress')  # the landing page, 待办, with its figures
        queue_seconds = time.monotonic() - started
        moved = c.d.execute_script(
            "const n = performance.getEntriesByType('navigation')[0];"
            "return n.transferSize + performance.getEntriesByType('resource')"
            ".reduce((s, r) => s + r.transferSize, 0);")
        print(f'待办 on screen {queue_seconds * 1000:.0f} ms after navigation, {moved / 1024:.1f} KB moved')
        check(queue_seconds < 1.0, 'the landing page (待办) shows its data within 1 s of navigation')
        check(moved <= 300 * 1024, 'the page transfers at most 300 KB')
        c.goto('queue')
        c.find('queue-table')
        row = c.d.find_element(By.XPATH, f"//tr[td/a[text()='{number}']]")
        row.find_element(By.CSS_SELECTOR, 'button.approve').click()
        c.text_appears('已通过')
        started = time.monotonic()
        c.d.find_element(By.LINK_TEXT, number).click()
        c.text_appears('已生效')
        c.find('card-contact')
        form_seconds = time.monotonic() - started
        print(f'teacher form on screen {form_seconds * 1000:.0f} ms after the click')
        check(form_seconds < 1.0, 'a teacher\'s form shows its data within 1 s')
        c.click('show-history')
        c.find('history-table')
        c.shot('12-history')
        c.click('nav-progress')
        c.find('progress-table')
        c.shot('13-progress')

        # The county's teacher list: the total, page numbers, sorting by a
        # column, and a school chosen by name from the unit tree.
        c.goto('teachers')
        head = c.find('teacher-total').text
        total = int(re.search(r'共 ([\d,]+) 名', head).group(1).replace(',', ''))
        check(total > 50 and '第 1 / ' in head, f'the list says how many teachers match ({head})')
        c.click('page-2')
        c.wait.until(lambda d: d.find_element(By.ID, 'page-2').get_attribute('aria-current') == 'page')
        check('第 2 / ' in c.find('teacher-total').text, 'page numbers move through the list')
        name_sort = c.d.find_element(By.XPATH, "//table[@id='teacher-table']//th[button[text()='姓名']]")
        name_sort.find_element(By.TAG_NAME, 'button').click()
        c.wait.until(lambda d: d.find_element(
            By.XPATH, "//table[@id='teacher-table']//th[button[text()='姓名']]").get_attribute('aria-sort') == 'ascending')
        names = [r.find_elements(By.TAG_NAME, 'td')[1].text
                 for r in c.d.find_elements(By.CSS_SELECTOR, '#teacher-table tbody tr')]
        check(names == sorted(names) and len(names) == 50, 'a click on 姓名 sorts the whole list by name')
        c.shot('13c-teacher-list-sorted')
        c.click('unit-filter')
        c.click('unit-filter-open-' + county)
        c.find('unit-filter-pick-' + school)
        c.shot('13d-unit-picker')
        school_name = c.find('unit-filter-pick-' + school).text.split(' ')[0]
        c.click('unit-filter-pick-' + school)
        c.wait.until(lambda d: all(r.find_elements(By.TAG_NAME, 'td')[2].text == school_name
                                   for r in d.find_elements(By.CSS_SELECTOR, '#teacher-table tbody tr')))
        chosen = int(re.search(r'共 ([\d,]+) 名', c.find('teacher-total').text).group(1).replace(',', ''))
        check(0 < chosen < total, f'a school picked from the tree lists its {chosen} teachers by school name')
    finally:
        c.quit()
    subprocess.run(shlex.split(args.sync), check=True, capture_output=True)
    check(national_total() == national_before + 1, 'after a sync the national node counts the teacher')

    # Once effective, the teacher asks for a correction with its own reason,
    # sees it waiting on 我的信息, the school's responsible person decides it
    # (a teacher's own request: the school decides) with the old value beside
    # the new, and the teacher reads what became of it.
    t = Browser('teacher-request')
    try:
        t.login(number, strong)
        open_card(t, 'study_history')
        t.click('edit-study_history-1')
        check(t.find('save-study_history').text == '申请修改第 1 条', 'an effective record asks, not writes')
        t.type('f-study_history-major', '汉语言文学')
        t.click('save-study_history')
        t.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, '#card-study_history .error'))
        check('原因' in t.d.find_element(By.CSS_SELECTOR, '#card-study_history .error').text,
              'a change request without a reason is refused with the rule')
        t.type('reason-study_history', '毕业证书上的专业漏填')
        t.click('save-study_history')
        t.find('change-requests')
        check('我的变更申请' in t.find('change-requests').text and '待审核' in t.find('change-requests').text
              and '毕业证书上的专业漏填' in t.find('change-requests').text,
              'the teacher sees the request waiting, with its own reason')
        check('变更待审核' in t.find('entries-study_history').text, 'the entry shows a change is waiting')
        check(t.find('reason-contact').get_attribute('value') == '', 'each request has its own reason field')
        t.shot('13a-teacher-request-waiting')
    finally:
        t.quit()
    c = Browser('school-decides-change')
    try:
        c.login('school-admin', strong)
        c.goto('queue')
        c.find('queue-table')
        row = c.d.find_element(By.XPATH, f"//tr[td/a[text()='{number}']]")
        check('汉语言文学' in row.text and '毕业证书上的专业漏填' in row.text,
              'the reviewer reads the new value and the reason')
        row.find_element(By.CSS_SELECTOR, 'button.approve').click()
        c.text_appears('已通过')
    finally:
        c.quit()
    t = Browser('teacher-decided')
    try:
        t.login(number, strong)
        t.find('change-requests')
        check('已同意' in t.find('change-requests').text and '均已审核' in t.find('change-requests').text,
              'the teacher reads what became of the request')
        check('汉语言文学' in t.find('entries-study_history').text, 'the approved change is in the record')
        t.shot('13b-teacher-request-decided')
    finally:
        t.quit()

    # Careers: the school files a status change in the browser, the county
    # approves it in the browser; a repeated decision is refused.
    k = Browser('careers')
    try:
        k.login('school-clerk', strong)
        k.goto('teachers')
        k.find('teacher-table')
        k.click('nav-careers')
        k.select('career-kind', 'status')
        k.type('career-teacher', number)
        k.select('career-status', '13')
        k.type('career-reason', '明年到龄退休')
        k.click('career-file')
        k.text_appears('已提交第')
        k.find('career-filed')
        check('待退休' in k.main_text() and '学校主管部门' in k.main_text(),
              'the filed status change shows its subject and its step')
        k.shot('19-careers-filed')
        # A rotation's receiving school is picked by name from the province's
        # directory of units, beyond the school's own subtree.
        k.select('career-kind', 'rotation')
        k.click('career-host')
        k.click('career-host-open-44')
        other = units['units'][1]['code']
        k.click('career-host-open-' + other)
        k.click('career-host-open-' + other + '01')  # its first county
        k.find('career-host-pick-' + other + '010001')  # and that county's first school
        k.shot('19a-rotation-host-picker')
        check('（请从单位名录中选择学校）' in k.find('career-host').text, 'nothing is picked until the clerk picks')
    finally:
        k.quit()
    kc = Browser('careers-county')
    try:
        kc.login('county-mgr', strong)
        kc.find('todo-careers')
        check('项调动与变动等待本单位办理' in kc.find('todo-waiting').text,
              'the county manager lands on 待办, which names the careers case waiting')
        kc.shot('19b-todo-county')
        kc.goto('queue')
        kc.find('queue-table')
        check('调动与变动申请等待本单位审核' in kc.main_text(), 'the review queue names the careers case waiting')
        kc.click('queue-careers')
        row = kc.find('career-waiting').find_element(By.XPATH, f".//tr[td[contains(., '{number}')]]")
        kc.shot('20-careers-waiting')
        row.find_element(By.CSS_SELECTOR, 'button.approve').click()
        WebDriverWait(kc.d, 15).until(lambda d: number not in d.execute_script(
            "const t = document.getElementById('career-waiting'); return t ? t.textContent : '" + number + "';"))
        check('交流轮岗统计' in kc.main_text() and kc.find('rotation-report'),
              'the county sees the rotation report')
        kc.d.execute_script("document.getElementById('rotation-report').scrollIntoView()")
        kc.shot('21-careers-decided')
    finally:
        kc.quit()
    cases = county_manager.call('ListCareerCases', {'view': 'scope'})['cases']
    check(cases[0]['state'] == 'completed' and cases[0]['to_status'] == '13',
          'the status change is completed')
    again = county_manager.call('DecideCareerStep', {'case_id': cases[0]['id'], 'step': 0,
                                                     'decision': 'APPROVE'}, expect=400)
    check(again['code'] == 'failed_precondition', 'a repeated decision is refused')

    # A querier: no edit controls, and a forced write is refused by the API.
    school_admin_number = number
    q = Browser('querier')
    try:
        q.login('school-querier', strong)
        q.goto('teachers')
        q.find('teacher-table')
        check('新建教师' not in q.main_text(), 'a querier has no new-teacher form')
        q.d.get(args.url)
        q.goto('teachers')
        q.find('teacher-table')
        q.d.find_element(By.LINK_TEXT, school_admin_number).click()
        q.find('card-basic')
        check(not q.d.find_elements(By.ID, 'save-basic') and not q.d.find_elements(By.ID, 'submit-teacher'),
              'a querier sees no edit or submit control')
        status = q.d.execute_async_script("""
            const done = arguments[arguments.length - 1];
            const csrf = (document.cookie.match(/ntmis_csrf=([0-9a-f]+)/) || [])[1] || '';
            fetch('/ntmis.v1.ProvincialApi/RequestChange', {method: 'POST',
              headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf},
              body: JSON.stringify({teacher_number: arguments[0], fields: [{field: 'title', value: '1'}], reason: 'x'})})
              .then(r => done(r.status));""", school_admin_number)
        check(status == 403, 'the API refuses a querier\'s forced write (403)')
        check(q.d.execute_script("return document.cookie.indexOf('ntmis_session') < 0"),
              'the session token is not readable by page scripts')
        q.shot('14-querier')
    finally:
        q.quit()

    # A name that looks like markup stays text.
    clerk = login('school-clerk', strong)
    markup = clerk.call('CreateTeacher', {'name': '<img src=x onerror=alert(1)>', 'gender': '1',
                                        'birth_date': '1991-02-03',
                                        'id_card_number': id_card('440101', '19910203', 31),
                                        'school_code': school}, expect=200)
    x = Browser('xss')
    try:
        x.login('school-clerk', strong)
        x.goto('teachers')
        x.find('teacher-table')
        x.text_appears('<img src=x onerror=alert(1)>')
        check(not x.d.find_elements(By.CSS_SELECTOR, 'main img'), 'a teacher named like markup stays text')

        # An upload with bad rows: the report as a table, nothing changed.
        upload = f'{args.profile}-upload.csv'
        with open(upload, 'w', encoding='utf-8') as f:
            f.write('teacher_number,entry_no,mobile,email,address\n'
                    f'{number},,{"1" * 30},x@example.cn,\n'
                    '440000000999,,13900139000,,\n')
        x.click('nav-import')
        x.select('import-kind', next(o.get_attribute('value') for o in
                                     x.find('import-kind').find_elements(By.TAG_NAME, 'option')
                                     if o.text == '联系方式'))
        x.find('import-file').send_keys(upload)
        x.click('import-check')
        x.find('problem-table')
        rows = x.find('problem-table').find_elements(By.CSS_SELECTOR, 'tbody tr')
        check(len(rows) == 2 and '超过本列上限 20 字' in rows[0].text and rows[0].text.startswith('2'),
              'a dry run shows each bad row with row, column, value and rule: ' + ' | '.join(r.text for r in rows))
        check(not x.find('import-apply').is_enabled(), 'nothing to apply when no row is valid')
        x.shot('15-import-report')
        entries = clerk.call('ListEntries', {'teacher_number': number, 'category': 'contact'})
        check(any(v['value'] == '13800138000' for e in entries['entries'] for v in e['values']),
              'the stored contact details are unchanged')

        # The Excel template downloaded from the console, filled in as a
        # clerk would (labels in the header, the guide naming each column),
        # imports back.
        # The teacher list as a clerk opens it: named by the node, a BOM for
        # Excel, Chinese headers, labels and names — and the codes form too.
        x.click('nav-teachers')
        x.find('teacher-table')
        x.click('export-teachers')
        exported = x.downloaded('.csv')
        name = os.path.basename(exported)
        check('_教师名单_' in name and name.endswith('.csv') and not name.startswith('teachers'),
              f'the CSV is named for what it is: {name}')
        raw = open(exported, 'rb').read()
        check(raw.startswith(b'\xef\xbb\xbf'), 'the CSV starts with a byte-order mark')
        rows = list(csv.reader(io.StringIO(raw.decode('utf-8-sig'))))
        header = rows[0]
        check(header[:3] == ['教师编号', '状态', '姓名'] and '学校名称' in header and '所在区县' in header,
              f'the CSV has Chinese headers: {header[:6]}')
        gender = [r[header.index('性别')] for r in rows[1:]]
        check(set(gender) <= {'男', '女'} and all(r[1] in ('草稿', '已生效', '待学校审核', '学校已审核', '已退回')
                                              for r in rows[1:]),
              f'codes and states are labels: {sorted(set(gender))}')
        check(all(r[header.index('学校名称')] for r in rows[1:]), 'every row names its school')
        for f in glob.glob(f'{x.downloads}/*'):
            os.remove(f)
        x.click('export-teachers-xlsx')
        book = openpyxl.load_workbook(x.downloaded('.xlsx'))
        first = [c.value for c in book.worksheets[0][1]]
        check(first[:3] == ['教师编号', '状态', '姓名'], f'the workbook has the same Chinese header: {first[:3]}')
        for f in glob.glob(f'{x.downloads}/*'):
            os.remove(f)
        x.click('export-teachers-codes')
        coded = x.downloaded('.csv')
        coded_rows = list(csv.reader(open(coded, encoding='utf-8-sig')))
        check(coded_rows[0][:2] == ['teacher_number', 'state'] and '_代码版_' in os.path.basename(coded),
              'the machine-readable form stays available')
        for f in glob.glob(f'{x.downloads}/*'):
            os.remove(f)
        x.click('nav-import')
        x.select('import-kind', next(o.get_attribute('value') for o in
                                     x.find('import-kind').find_elements(By.TAG_NAME, 'option')
                                     if o.text == '联系方式'))
        x.click('import-template')
        template = x.downloaded('.xlsx')
        book = openpyxl.load_workbook(template)
        check(book.sheetnames[:2] == ['联系方式', '填写说明'] and book['代码'].sheet_state == 'hidden',
              f'the template has its data sheet, a guide and a hidden code sheet: {book.sheetnames}')
        guide = book['填写说明']
        label_of = {r[1]: r[0] for r in guide.iter_rows(min_row=6, values_only=True) if r[1]}
        sheet = book.worksheets[0]
        header = [c.value for c in sheet[1]]
        check(label_of.get('teacher_number') == '教师编号' and '教师编号' in header,
              f'the header is in Chinese and the guide names each column: {header}')
        sheet.cell(row=2, column=header.index(label_of['teacher_number']) + 1,
                   value=markup['teacher_number'])
        sheet.cell(row=2, column=header.index(label_of['mobile']) + 1, value='13700137000')
        filled = f'{args.profile}-filled.xlsx'
        book.save(filled)
        x.find('import-file').send_keys(filled)
        x.click('import-check')
        x.text_appears('正确 1 行')
        check('Excel 工作簿' in x.find('import-summary').text, 'the workbook is read as a workbook')
        x.click('import-apply')
        x.text_appears('已导入 1 行')
        x.shot('15b-import-xlsx')
        entries = clerk.call('ListEntries', {'teacher_number': markup['teacher_number'],
                                             'category': 'contact'})
        check(any(v['value'] == '13700137000' for e in entries['entries'] for v in e['values']),
              'the filled template\'s row is stored')
    finally:
        x.quit()
    # A transfer with the seeds' default accounts, as the seeds order it:
    # the receiving school files it (its request), the sending school's
    # responsible person approves, the county's personnel office approves
    # (one county: it decides once), and the receiving school completes it
    # (调档) — no second information manager anywhere.
    school2 = admin.call('ListUnits', {'unit_code': county})['units'][1]['code']
    school2_admin = account(county_admin, 'school2-admin', school2, 'USER_ROLE_SYSADMIN', strong)
    account(school2_admin, 'school2-clerk', school2, 'USER_ROLE_MANAGER', strong)
    tr = Browser('transfer-file')
    try:
        tr.login('school2-clerk', strong)
        tr.goto('teachers')
        tr.find('teacher-table')
        tr.click('nav-careers')
        check([o.get_attribute('value') for o in tr.find('career-kind').find_elements(By.TAG_NAME, 'option')][0]
              == 'transfer', 'a school is offered the transfer-in form')
        tr.select('career-kind', 'transfer')
        tr.type('career-teacher', number)
        tr.type('career-reason', '夫妻两地分居，调入本校')
        tr.click('career-file')
        tr.text_appears('已提交第')
        filed = tr.find('career-filed').text
        check('调入学校（调档）' in filed and '学校主管部门' in filed,
              'the filed transfer shows its steps, ending with the receiving school (调档): ' + filed)
        tr.shot('22-transfer-filed')
    finally:
        tr.quit()
    steps = [('school-admin', '23-transfer-sending-school'), ('county-mgr', '24-transfer-county'),
             ('school2-clerk', '25-transfer-completed')]
    for user, shot in steps:
        d = Browser(shot)
        try:
            d.login(user, strong)
            d.find('nav-careers')
            d.click('nav-careers')
            row = d.find('career-waiting').find_element(By.XPATH, f".//tr[td[contains(., '{number}')]]")
            button = row.find_element(By.CSS_SELECTOR, 'button.approve')
            if user == 'school2-clerk':
                check(button.text == '调档，完成调动', 'the receiving school completes the transfer (调档)')
            d.shot(shot)
            button.click()
            WebDriverWait(d.d, 15).until(lambda b: number not in b.execute_script(
                "const t = document.getElementById('career-waiting'); return t ? t.textContent : '" + number + "';"))
        finally:
            d.quit()
    moved = school2_admin.call('GetTeacher', {'teacher_number': number})
    check(moved['record']['school_code'] == school2, 'after 调档 the teacher belongs to the receiving school')
    kc = Browser('county-admin-no-transfer')
    try:
        kc.login('county-mgr', strong)
        kc.goto('queue')
        kc.find('queue-table')
        kc.click('nav-careers')
        kinds = [o.get_attribute('value') for o in kc.find('career-kind').find_elements(By.TAG_NAME, 'option')]
        check('transfer' not in kinds, f'a county is not offered the school\'s transfer-in form: {kinds}')
    finally:
        kc.quit()

    # The province's administrator: accounts, audit, sync health.
    a = Browser('admin')
    try:
        a.login(args.admin, args.password)
        a.find('todo-slowest')
        check('进度最慢的下级单位' in a.main_text(),
              'the province administrator lands on 待办 with the progress of the units below')
        a.shot('15d-todo-province')
        a.goto('teachers')
        a.find('teacher-table')
        # The progress report downloads as a workbook named for what it is.
        a.click('nav-progress')
        a.find('progress-table')
        a.click('progress-xlsx')
        progress = a.downloaded('.xlsx')
        sheet = openpyxl.load_workbook(progress).worksheets[0]
        header = [c.value for c in sheet[1]]
        check('_填报进度_' in os.path.basename(progress) and header[:3] == ['单位代码', '单位名称', '已录入']
              and sheet.max_row > 2, f'the progress report exports: {os.path.basename(progress)} {header[:3]}')
        a.shot('15c-progress')
        a.click('nav-accounts')
        a.find('account-table')
        check('city-admin' in a.main_text(), 'the administrator lists the accounts below')
        # The units one level down: which still lack a system administrator;
        # all of them made at once, with slips to print and hand over.
        summary = a.find('child-summary').text
        check('1 个尚未开通系统管理员' in summary, f'the tree shows the city without an administrator ({summary})')
        a.shot('16a-child-accounts')
        a.click('create-missing-admins')
        a.find('slips')
        other_city = units['units'][1]['code']
        slip = a.find('slips').text
        check('账号分发单' in slip and 'admin' + other_city in slip and '首次登录' in slip,
              'a slip names the unit, the user name, the initial password and what to do first')
        a.wait.until(lambda d: '系统管理员均已开通' in d.find_element(By.ID, 'child-summary').text)
        a.shot('16b-admin-slips')
        pdf_path = f'{args.shots}/16b-admin-slips.pdf'
        with open(pdf_path, 'wb') as f:
            f.write(base64.b64decode(a.d.execute_cdp_cmd('Page.printToPDF', {})['data']))
        printed = subprocess.run(['pdftotext', '-layout', pdf_path, '-'], capture_output=True,
                                 text=True, check=True).stdout
        check('账号分发单' in printed and 'admin' + other_city in printed and '待办' not in printed
              and '新建账号' not in printed, 'the slips print alone, without the navigation or forms')
        password = a.d.find_element(By.XPATH, "//div[@class='slip']//tr[th[text()='初始密码']]/td").text
        first = login('admin' + other_city, password)
        first.call('ChangePassword', {'old_password': password, 'new_password': strong})
        check(login('admin' + other_city, strong) is not None, 'the new administrator logs in with the slip')
        a.d.find_element(By.XPATH, "//table[@id='child-account-table']//a").click()
        a.wait.until(lambda d: '›' in d.find_element(By.ID, 'child-accounts').text)
        check('区县' in a.find('child-account-table').text, 'a click on a city shows its counties and their accounts')
        a.type('account-name', 'city-admin')
        a.click('account-unit')  # the unit is picked from the tree, not typed
        a.click('account-unit-open-44')
        a.click('account-unit-pick-' + city)
        a.select('account-role', 'USER_ROLE_SYSADMIN')
        a.click('account-create')
        a.text_appears('已达上限')
        a.shot('16-accounts')
        a.click('nav-audit')
        a.find('audit-table')
        a.type('audit-action', 'review.')
        a.click('audit-search')
        a.text_appears('审核退回')  # the action's label, not its code
        check(number in a.main_text(), 'the audit search finds who returned the record')
        a.shot('17-audit')
        a.click('nav-sync')
        a.find('sync-health')
        check('同步正常' in a.main_text(), 'province staff see the sync health')
        a.shot('18-sync-health')
    finally:
        a.quit()
    print('console journeys: ok')


if __name__ == '__main__':
    try:
        main()
    except (AssertionError, TimeoutException) as e:
        print('FAIL:', type(e).__name__, e, file=sys.stderr)
        sys.exit(1)
