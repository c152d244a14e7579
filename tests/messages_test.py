#!/usr/bin/python3
"""Every message a clerk or teacher can read is Chinese (docs/architecture.md,
"The clerk's language").

Walks the sources every transport answers from — the provincial core, the
imports, the server's RPC adapters, the web console's server and the shared
teacher and table code — and checks each refusal (absl::...Error(...)):

  * its text has Chinese in it, or
  * it is a field problem "field='value': rule" whose rule comes from a
    Chinese source (the console shows it under the field's label), or a
    join of such problems.

Only operators read the node's start-up and backup errors (node.cc,
backup.cc, store.cc, sync protocol versions, the console's certificate):
those files are listed below and may stay English. Internal and data-loss
errors are the operators' too.

It also checks that every audited action (Handle(context, "x.y", …),
audit_->Append({…, "x.y", …}) and each ChangeMeta action "x.y") has a
Chinese label in provincial/core/action_labels.cc.

    tests/messages_test.py SOURCE_DIR
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else '.')
rooms = ['provincial/core', 'provincial/import', 'provincial/server',
         'provincial/web', 'common/teacher', 'common/tables', 'common/web']
operators_only = {
    'provincial/server/node.cc', 'provincial/server/backup.cc',
    'provincial/core/store.cc', 'common/teacher/sync_versions.cc',
    'common/web/console_server.cc', 'common/tables/xlsx_writer.cc',
}
error = re.compile(r'absl::(InvalidArgument|NotFound|FailedPrecondition|PermissionDenied|'
                   r'AlreadyExists|ResourceExhausted|Unauthenticated|OutOfRange|Unavailable|'
                   r'Aborted)Error\(')
chinese = re.compile(r'[\u4e00-\u9fff\uff00-\uffef\u3000-\u303f]')
field_form = re.compile(r'^\s*(absl::StrCat\()?\s*("[a-z_.]*=\'"|[a-zA-Z_.()\[\]]+\s*,\s*"=\'")')
joined = re.compile(r'^\s*absl::StrJoin\(\s*(problems|parts)')


def arguments(text, start):
    depth, i = 1, start
    while depth and i < len(text):
        depth += {'(': 1, ')': -1}.get(text[i], 0)
        i += 1
    return text[start:i - 1]


failures = []
checked = 0
for room in rooms:
    for path in sorted((root / room).rglob('*.cc')):
        rel = path.relative_to(root).as_posix()
        if rel in operators_only:
            continue
        text = path.read_text(encoding='utf-8')
        for m in error.finditer(text):
            body = arguments(text, m.end())
            if '"' not in body:
                continue  # passes a message made elsewhere (checked there)
            checked += 1
            if chinese.search(body) or field_form.match(body) or joined.match(body):
                continue
            line = text.count('\n', 0, m.start()) + 1
            failures.append(f'{rel}:{line}: not in Chinese: {" ".join(body.split())[:100]}')

labels = (root / 'provincial/core/action_labels.cc').read_text(encoding='utf-8')
labelled = set(re.findall(r'\{"([a-z_.]+)",\s*"[^"]*[\u4e00-\u9fff]', labels))
actions = set()
for room in ['provincial/server', 'provincial/core', 'provincial/import']:
    for path in (root / room).rglob('*.cc'):
        text = path.read_text(encoding='utf-8')
        actions |= set(re.findall(r'Handle\(\s*context,\s*"([a-z_.]+)"', text))
        actions |= set(re.findall(r'audit_->Append\(\s*\{[^,]+,\s*"([a-z_.]+)"', text))
        actions |= set(re.findall(r'\.action\s*=\s*(?:absl::StrCat\()?"([a-z_.]+)[ "]', text))
        actions |= set(re.findall(r'Meta\(\s*actor,\s*(?:approve \? )?"([a-z_.]+)"', text))
for action in sorted(actions):
    if action not in labelled:
        failures.append(f'audited action {action!r} has no Chinese label in action_labels.cc')

for f in failures:
    print(f)
print(f'messages_test: {checked} refusals and {len(actions)} audited actions checked, '
      f'{len(failures)} not in Chinese')
sys.exit(1 if failures else 0)
