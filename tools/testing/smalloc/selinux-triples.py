#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Questions for selinux.sh's differential test, drawn from a binary policy.

  selinux-triples.py triples <policy> <seed> <count>
  selinux-triples.py bools <policy> <seed> <count>
  selinux-triples.py cuts <policy> <seed> <count>

'triples' prints <count> lines "scontext tcontext tclass": half of them
from the policy's allow rules (a source type and a target type the rule
covers, attributes expanded, and its class), so that many answers grant
something; the other half at random (any user, one of its roles, one of
the role's types; a target with object_r and any type; any class).  The
users are the policy's own, with their roles; an MLS/MCS policy gets a
level or range the user may have (low, high, or low-high).  'bools' prints
<count> boolean names, each with the value that flips it: "name 0|1".
'cuts' prints <count> broken copies of the policy file, as arguments
of "selinux-query -l <policy>": "<cut>" keeps the first <cut> bytes (1 to
size - 1: always too short), and every other line also flips 1 to 4
random bytes before the cut, "<offset>:<xor>".
The same policy and seed give the same lines (python's random, seeded,
over lists sorted by name).
"""
import random
import sys

import setools


def sorted_names(items):
    return sorted(items, key=str)


def main():
    what, path, seed, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    rnd = random.Random(seed)
    if what == 'cuts':
        with open(path, 'rb') as f:
            size = len(f.read())
        for i in range(count):
            cut = rnd.randrange(1, size)
            flips = ['%d:%d' % (rnd.randrange(cut), rnd.randrange(1, 256))
                     for _ in range(rnd.randint(1, 4) if i % 2 else 0)]
            print(' '.join([str(cut)] + flips))
        return
    p = setools.SELinuxPolicy(path)
    if what == 'bools':
        for b in rnd.sample(sorted_names(p.bools()), count):
            print(b.name, 0 if b.state else 1)
        return
    if what != 'triples':
        sys.exit('usage: selinux-triples.py triples|bools|cuts <policy> <seed> <count>')

    users = sorted_names(p.users())
    classes = [str(c) for c in sorted_names(p.classes())]
    types = [str(t) for t in sorted_names(p.types())]
    # The subjects a user can be: (user, role, type) with the role the
    # user's and the type the role's.
    subjects = []
    roles_of_type = {}
    for u in users:
        for r in sorted_names(u.roles):
            if str(r) == 'object_r':
                continue
            for t in sorted_names(r.types()):
                subjects.append((u, str(r), str(t)))
                roles_of_type.setdefault(str(t), []).append((u, str(r)))
    members = {}

    def expand(ta):
        if str(ta) not in members:
            members[str(ta)] = [str(t) for t in sorted_names(ta.expand())]
        return members[str(ta)]

    # Allow rules whose attributes have types.
    rules = [r for r in sorted_names(p.terules())
             if r.ruletype == setools.TERuletype.allow and
             expand(r.source) and expand(r.target)]

    def level(u):
        if not p.mls:
            return ''
        low, high = str(u.mls_range.low), str(u.mls_range.high)
        return ':' + rnd.choice([low, high, low + '-' + high] if low != high else [low])

    def subject(t=None):
        if t is None:
            u, r, t = rnd.choice(subjects)
        elif t in roles_of_type:
            u, r = rnd.choice(roles_of_type[t])
        else:
            u, r = rnd.choice(users), 'object_r'
        return '%s:%s:%s%s' % (u, r, t, level(u))

    def target(t):
        u = rnd.choice(users)
        return '%s:object_r:%s%s' % (u, t, level(u))

    for i in range(count):
        if i % 2 and rules:
            rule = rnd.choice(rules)
            s = rnd.choice(expand(rule.source))
            t = rnd.choice(expand(rule.target))
            print(subject(s), target(t), rule.tclass)
        else:
            print(subject(), target(rnd.choice(types)), rnd.choice(classes))


if __name__ == '__main__':
    main()
