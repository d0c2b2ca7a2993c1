#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print one TAP-like line per KUnit case of a kunit.py --json report.

    kunit_results.py <kunit.json> <suite>...

Each named suite must be in the report: a kernel that did not boot or a
suite that never reported is a failure, not an empty success.  Skipped
cases are printed as skipped, never as passed.
"""
import json
import sys


def cases(group, prefix=''):
    name = prefix + group['name']
    for case in group.get('test_cases', []):
        yield name, case['name'], case['status']
    for sub in group.get('sub_groups', []):
        yield from cases(sub, name + '.')


def main():
    path, suites = sys.argv[1], sys.argv[2:]
    try:
        with open(path) as f:
            report = json.load(f)
    except (OSError, ValueError) as e:
        print(f'not ok - kunit: no results ({e})')
        return
    seen = set()
    for suite, case, status in cases(report):
        suite = suite.split('.', 1)[-1]
        seen.add(suite.split('.')[0])
        if status == 'PASS':
            print(f'ok - kunit: {suite}.{case}')
        elif status == 'SKIP':
            print(f'skip - kunit: {suite}.{case}')
        else:
            print(f'not ok - kunit: {suite}.{case} ({status})')
    for suite in suites:
        if suite not in seen:
            print(f'not ok - kunit: suite {suite} never reported')


if __name__ == '__main__':
    main()
