"""The ministry console in headless Chromium over a large directory: the
first screen after login (every panel drawn) and drill-down clicks (a
province's tile, then back to the country by the breadcrumb) until the
charts show the new numbers, as p50 / p95 / max. Run by
tests/bench/ministry_console.sh against ntmis_ministry_console_bench --hold.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'web'))
import console_journey as kit  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


def ready_after(b, before):
    WebDriverWait(b.d, 60, poll_frequency=0.01).until(
        lambda d: d.execute_script(
            "const e = document.getElementById('dashboard'); return e && Number(e.dataset.ready) > arguments[0]",
            before))
    return b.d.execute_script('return Date.now()') - before


def stats(ms):
    ms = sorted(ms)
    at = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]  # noqa: E731
    return f'n {len(ms)}, p50 {at(0.5)} ms, p95 {at(0.95)} ms, max {ms[-1]} ms'


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--hold', required=True)
    p.add_argument('--clicks', type=int, default=40)
    p.add_argument('--profile', default='/tmp/ministry-bench-profile')
    a = p.parse_args()
    while not os.path.exists(a.hold):
        time.sleep(0.5)
    url, user, password, ca = open(a.hold, encoding='utf-8').read().split('\n')[:4]
    kit.args = argparse.Namespace(url=url, profile=a.profile, shots='/tmp')
    b = kit.Browser('bench')
    try:
        firsts = []
        for _ in range(3):
            b.d.delete_all_cookies()
            b.d.get(url)
            b.find('username')
            b.type('username', user)
            b.type('password', password)
            before = b.d.execute_script('return Date.now()')
            b.click('login')
            firsts.append(ready_after(b, before))
            b.click('logout')
        b.login(user, password)
        ready_after(b, 0)
        drills = []
        for i in range(a.clicks):
            tiles = b.d.find_elements(By.CSS_SELECTOR, 'svg.tiles g.pick')
            before = b.d.execute_script('return Date.now()')
            tiles[i % len(tiles)].click()
            drills.append(ready_after(b, before))
            back = b.d.find_element(By.CSS_SELECTOR, '.crumbs button')
            before = b.d.execute_script('return Date.now()')
            back.click()
            drills.append(ready_after(b, before))
        print('Chromium, first screen after login (every panel drawn):', stats(firsts))
        print('Chromium, a drill-down click until the charts show the new numbers:', stats(drills))
    finally:
        b.quit()
        os.remove(a.hold)


if __name__ == '__main__':
    main()
