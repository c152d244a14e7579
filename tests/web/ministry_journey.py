"""The ministry's web console's journeys in headless Chromium (Selenium).

The first administrator (from `ntmis-national init`) changes its generated
password and creates a querier and a manager through the console's JSON
API. Then, in the browser: the querier's dashboard total equals the CLI's;
a click on a province drills to its cities, named, adding up to the
province; a filter gives what the CLI gives for the same filter; any
question gives the CLI's table; the data-quality page marks a province that
stopped syncing as overdue; the querier has no look-up page and the API
refuses it one. The manager's look-up without a reason is refused, with one
it answers and the audit names the manager and the reason. Every screen is
saved as a PNG and checked by axe-core.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import console_journey as kit  # noqa: E402  (its Browser and checks)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

class Api(kit.Api):
    service = 'ntmis.v1.NationalQuery/'


def login(username, password):
    api = Api()
    api.call('Login', {'username': username, 'password': password})
    return api


def account(admin, username, role, password):
    made = admin.call('CreateCentralUser', {'username': username, 'role': role})
    first = login(username, made['initial_password'])
    first.call('ChangePassword', {'old_password': made['initial_password'], 'new_password': password})
    return login(username, password)


def cli(*flags):
    out = subprocess.run(shlex.split(kit.args.query) + list(flags), check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout)


def total_text(b):
    return int(b.find('total-value').text.replace(',', ''))


def wait_ready(b, before):
    """Waits until the dashboard was drawn after `before` (its data-ready)."""
    WebDriverWait(b.d, 15, poll_frequency=0.02).until(
        lambda d: d.execute_script(
            "const e = document.getElementById('dashboard'); return e && Number(e.dataset.ready) > arguments[0]",
            before))


def now_ms(b):
    return b.d.execute_script('return Date.now()')


def main():
    p = argparse.ArgumentParser()
    for flag in ['url', 'ca', 'admin', 'password', 'shots', 'query', 'sync', 'profile', 'province-db',
                 'teachers-csv']:
        p.add_argument('--' + flag, required=True)
    kit.args = p.parse_args()
    args = kit.args
    check = kit.check
    strong = 'Ministry-2026-pass'

    first = login(args.admin, args.password)
    refused = first.call('ListCentralUsers', expect=400)
    check(refused['code'] == 'failed_precondition' and '初始密码' in refused['message'],
          'a generated password must be changed before anything else')
    first.call('ChangePassword', {'old_password': args.password, 'new_password': strong})
    admin = login(args.admin, strong)
    account(admin, 'analyst', 'CENTRAL_ROLE_QUERIER', strong)
    account(admin, 'inspector', 'CENTRAL_ROLE_MANAGER', strong)
    check(len(admin.call('ListCentralUsers')['users']) == 3, 'the administrator made a querier and a manager')

    b = kit.Browser('analyst')
    try:
        # The querier lands on the dashboard; its total is the CLI's.
        start = now_ms(b)
        b.login('analyst', strong)
        wait_ready(b, start)
        first_screen = now_ms(b) - start
        national = cli('--by', 'province')
        check(total_text(b) == int(national['total']),
              f'the dashboard total {total_text(b)} equals the CLI total {national["total"]}')
        print(f'note - first screen after login: {first_screen} ms')
        check(b.d.find_elements(By.ID, 'nav-lookup') == [], 'a querier has no look-up page')
        b.shot('ministry-01-dashboard')

        # A click on Guangdong's tile drills to its cities, by name.
        before = now_ms(b)
        tile = next(g for g in b.d.find_elements(By.CSS_SELECTOR, 'svg.tiles g.pick')
                    if g.find_element(By.CSS_SELECTOR, 'text.name').text == '广东')
        tile.click()
        wait_ready(b, before)
        print(f'note - drill-down click to charts drawn: {now_ms(b) - before} ms')
        check(b.find('place-name').text == '广东省', 'the breadcrumb names the province')
        province_44 = next(r for r in kit_rows(national) if r[0] == '44')[1]
        check(total_text(b) == province_44, f'the province total is the CLI\'s ({province_44})')
        b.d.execute_script("document.querySelector('#panel-area details').open = true")
        cells = b.d.find_elements(By.CSS_SELECTOR, '#table-area tbody tr')
        names = [c.find_elements(By.TAG_NAME, 'td')[0].text for c in cells]
        counts = [int(c.find_elements(By.TAG_NAME, 'td')[1].text.replace(',', '')) for c in cells]
        check(names and all(n and not n.isdigit() for n in names),
              f'the province\'s cities are shown by name: {names}')
        check(sum(counts) == province_44, 'the cities add up to the province')
        b.shot('ministry-02-province')

        # A filter changes the numbers to the CLI's for the same filter.
        before = now_ms(b)
        b.select('filter-gender', '2')
        wait_ready(b, before)
        women = cli('--by', 'province', '--where', 'gender=2', '--where', 'province=44')
        check(total_text(b) == int(women['total']),
              f'women teachers of the province: {total_text(b)} as the CLI says')
        check('gender=2' in b.d.current_url and 'area=44' in b.d.current_url,
              'the address keeps the place and the filter')
        # The address opens the same view in a fresh page.
        url = b.d.current_url
        b.d.get(url)
        b.find('total-value')
        WebDriverWait(b.d, 15).until(lambda d: total_text(b) == int(women['total']))
        check(True, 'a bookmarked view opens as it was')
        b.shot('ministry-03-filtered')

        # Any question: the table of two dimensions equals the CLI's.
        b.goto('question')
        b.select('group-0', 'province')
        b.select('group-1', 'school_category')
        b.click('ask')
        b.find('question-table')
        asked = cli('--by', 'province,school_category')
        check(int(b.find('question-total').text.replace(',', '')) == int(asked['total']),
              'any question answers the CLI\'s total')
        rows = b.d.find_elements(By.CSS_SELECTOR, '#question-table tbody tr')
        check(len(rows) == len(asked['rows']), f'and its {len(asked["rows"])} rows')
        b.shot('ministry-04-question')

        # The outlook's counts equal a recount of the teachers imported,
        # with the published schedule of the 2025 reform.
        b.goto('outlook')
        b.find('outlook-table')
        as_of = analyst_api().call('Outlook', {})['as_of']
        expected = recount_outlook(as_of)
        shown = {key: int(b.find(f'outlook-{key}').text.replace(',', ''))
                 for key in ['total', 'reached', 'within-1', 'within-3', 'within-5', 'within-10']}
        check(shown == expected, f'the outlook {shown} equals a recount {expected}')
        check('男：原60周岁' in b.find('outlook-rules').text, 'the rules are shown with the answer')
        b.shot('ministry-05-outlook')

        # Many ministry staff at once: 12 sessions of the querier's account
        # (one address, as behind an office's NAT) ask the dashboard's
        # questions and the outlook together; every answer arrives.
        import concurrent.futures
        def worker(k):
            api = analyst_api()
            for i in range(10):
                api.call('Aggregate', {'group_by': [['province', 'school_category', 'title'][i % 3]],
                                       'where': [{'dimension': 'gender', 'values': [str(1 + k % 2)]}]})
                api.call('Outlook', {'by': 'city' if i % 2 else 'province'})
            return 20
        with concurrent.futures.ThreadPoolExecutor(12) as pool:
            answered = sum(pool.map(worker, range(12)))
        check(answered == 240, f'12 sessions at once: {answered} answers, no error')

        # Data quality: province 45 stopped syncing and shows as overdue;
        # 44 has just synced.
        time.sleep(9)
        subprocess.run(shlex.split(args.sync), check=True, capture_output=True)
        b.goto('quality')
        b.find('quality-table')
        row45 = b.d.find_element(By.CSS_SELECTOR, "#quality-table tr[data-province='45']")
        row44 = b.d.find_element(By.CSS_SELECTOR, "#quality-table tr[data-province='44']")
        check('attention' in row45.get_attribute('class') and '同步逾期' in row45.text,
              'a province that stopped syncing stands out as overdue')
        check('attention' not in (row44.get_attribute('class') or ''), 'a province in sync does not')
        b.shot('ministry-06-quality')

        # The API refuses the querier a look-up.
        analyst = login('analyst', strong)
        no = analyst.call('Lookup', {'teacher_number': '440100000001', 'reason': 'curious'}, expect=403)
        check(no['code'] == 'permission_denied', f'the API refuses a querier\'s look-up: {no["message"]}')
    finally:
        b.quit()

    m = kit.Browser('inspector')
    try:
        start = now_ms(m)
        m.login('inspector', strong)
        wait_ready(m, start)
        m.goto('lookup')
        number = some_teacher_number()
        m.type('lookup-key', number)
        m.click('lookup-go')
        m.wait.until(lambda d: '须填写事由' in d.find_element(By.ID, 'lookup-result').text)
        check(True, 'a look-up without a reason is refused')
        m.type('lookup-reason', '核查跨省调动材料 2026-118')
        m.click('lookup-go')
        m.wait.until(lambda d: '教师编号' in d.find_element(By.ID, 'lookup-result').text)
        check(number in m.find('lookup-result').text, 'with a reason the record is shown')
        m.shot('ministry-07-lookup')
    finally:
        m.quit()
    entries = admin.call('QueryAudit', {'action': 'query.lookup'})['entries']
    mine = [e for e in entries if e['actor'] == 'inspector' and e['result'] == 'ok']
    check(mine and '核查跨省调动材料' in mine[0]['detail'] and mine[0]['target'] == number,
          'the look-up is in the audit log with who, whom and why')

    a = kit.Browser('admin')
    try:
        start = now_ms(a)
        a.login(args.admin, strong)
        wait_ready(a, start)
        a.goto('audit')
        a.find('audit-table')
        a.text_appears('查询教师个人记录')
        a.shot('ministry-08-audit')
        a.goto('accounts')
        a.find('accounts-table')
        a.shot('ministry-09-accounts')
    finally:
        a.quit()
    print('ministry journey: ok')


def analyst_api():
    return login('analyst', 'Ministry-2026-pass')


def published(year, month, original_age, per_step, max_delay):
    """The retirement month (months since 1900-01) from the schedule as
    published: the original age, then a month more per started step from
    January 2025."""
    original = (year + original_age - 1900) * 12 + month - 1
    start = (2025 - 1900) * 12
    if original < start:
        return original
    return original + min((original - start) // per_step + 1, max_delay)


def recount_outlook(as_of):
    import csv
    year, month = int(as_of[:4]), int(as_of[5:7])
    now = (year - 1900) * 12 + month - 1
    out = {'total': 0, 'reached': 0, 'within-1': 0, 'within-3': 0, 'within-5': 0, 'within-10': 0}
    for path in kit.args.teachers_csv.split(','):
        with open(path, encoding='utf-8') as f:
            for row in csv.DictReader(f):
                out['total'] += 1
                y, m = int(row['birth_date'][:4]), int(row['birth_date'][5:7])
                if row['gender'] == '1':
                    retires = published(y, m, 60, 4, 36)
                elif row['post_type'] == '4':
                    retires = published(y, m, 50, 2, 60)
                else:
                    retires = published(y, m, 55, 4, 36)
                if retires <= now:
                    out['reached'] += 1
                    continue
                for h in (1, 3, 5, 10):
                    out[f'within-{h}'] += retires - now <= 12 * h
    return out


def kit_rows(answer):
    """(code, teachers) of a one-dimension CLI answer."""
    return [(r['province'], int(r['teachers'])) for r in answer['rows']]


def some_teacher_number():
    """A teacher number province 44 holds (read from its database file)."""
    import sqlite3
    with sqlite3.connect(f'file:{kit.args.province_db}?mode=ro', uri=True) as db:
        return db.execute("SELECT teacher_number FROM teachers WHERE state = 'effective' "
                          "OR 1 ORDER BY teacher_number LIMIT 1").fetchone()[0]


if __name__ == '__main__':
    main()
