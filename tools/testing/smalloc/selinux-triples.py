#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Questions for selinux.sh's differential test, drawn from a binary policy.

  selinux-triples.py triples <policy> <seed> <count>
  selinux-triples.py bools <policy> <seed> <count>
  selinux-triples.py cuts <policy> <seed> <count>
  selinux-triples.py relabel|member|named|process|context|user <policy> <seed> <count>
  selinux-triples.py names <policy> <seed> <count>

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

The next six print questions for "selinux-query -q", <count> lines of
"<op> <arguments>", of one kind each:
  relabel  "r scon tcon class": 60% from the type_change rules
  member   "m scon tcon class": every type_member rule, then at random
  named    "n scon tcon class name": each named type_transition rule,
           with its name and with a name one letter off, then at random
  process  "p scon tcon process": type_transition rules for processes,
           role_transition and range_transition rules, then at random
  context  "x context": valid and invalid contexts
  user     "u context user": process contexts asking for a user's
  validatetrans "v old new class task": an object's old and new
           contexts (any user, role and type, 1 time in 4 not object_r)
           and a process's, for the classes with validatetrans or
           mlsvalidatetrans rules 3 times in 4, levels inside each
           user's range 9 times in 10
A line drawn from a rule ends with " # <field>=<value>", what the rule
says the answer's type (t), role (r) or range (l) is; the guest drops it,
the host checks that the answers reach the rules (selinux.sh).  Contexts
are process contexts with the user's real roles, object contexts with
object_r, and MLS levels drawn inside each user's range and, 2 times in
5, outside it, with non-canonical and invalid category sets.
'names' prints "<domain context> f|d|p|l <name>" lines: files, dirs,
fifos and symlinks that a process of that domain creates in a fresh
tmpfs (the named transitions into tmpfs_t of the policy, near misses,
random names), then "genfs <fs> <path>" for each genfscon rule.
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
    if what in OPS:
        Ops(p, rnd).run(what, count)
        return
    if what != 'triples':
        sys.exit('usage: selinux-triples.py triples|bools|cuts|names|%s <policy> <seed> <count>'
                 % '|'.join(sorted(OPS)))

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


OPS = ('relabel', 'member', 'named', 'process', 'context', 'user', 'names', 'validatetrans')


def encode(name):
    """A name as selinuxfs's create decodes it: %XX but for [A-Za-z0-9._-]."""
    return ''.join(c if c.isascii() and (c.isalnum() or c in '._-') else
                   ''.join('%%%02x' % b for b in c.encode()) for c in name)


class Ops:
    """The questions of the kinds in OPS, drawn from policy p with rnd."""

    def __init__(self, p, rnd):
        self.p, self.rnd = p, rnd
        self.users = sorted_names(p.users())
        self.classes = [str(c) for c in sorted_names(p.classes())]
        self.types = [str(t) for t in sorted_names(p.types())]
        self.attrs = [str(a) for a in sorted_names(p.typeattributes())]
        self.sens = [str(x) for x in sorted_names(p.sensitivities())] if p.mls else []
        self.ncats = len(list(p.categories())) if p.mls else 0
        self.exp = {}
        # (user, role) pairs of each type, roles of each user, types of each role
        self.by_type, self.by_role = {}, {}
        self.subjects = []
        for u in self.users:
            for r in sorted_names(u.roles):
                if str(r) == 'object_r':
                    continue
                self.by_role.setdefault(str(r), []).append(u)
                for t in sorted_names(r.types()):
                    self.subjects.append((u, str(r), str(t)))
                    self.by_type.setdefault(str(t), []).append((u, str(r)))
        self.rtypes = {str(r): [str(t) for t in sorted_names(r.types())]
                       for r in p.roles()}

    def expand(self, ta):
        if str(ta) not in self.exp:
            self.exp[str(ta)] = [str(t) for t in sorted_names(ta.expand())]
        return self.exp[str(ta)]

    def cats(self):
        """A category set, canonical or not, sometimes invalid."""
        rnd, n = self.rnd, self.ncats
        if not n:
            return ''
        k = rnd.randrange(8)
        c = lambda: 'c%d' % rnd.randrange(n)
        if k == 0:
            return ''
        if k == 1:
            return c()
        if k == 2:
            a, b = sorted(rnd.sample(range(n), 2))
            return 'c%d.c%d' % (a, b)
        if k == 3:
            return ','.join('c%d' % i for i in sorted(rnd.sample(range(n), min(n, 3))))
        if k == 4:		# unsorted, maybe repeated
            return ','.join(c() for _ in range(rnd.randint(2, 4)))
        if k == 5:		# a reversed range: invalid
            a, b = sorted(rnd.sample(range(n), 2))
            return 'c%d.c%d' % (b, a)
        if k == 6:		# the whole set
            return 'c0.c%d' % (n - 1)
        return 'c%d' % (n + rnd.randrange(3))	# no such category

    def lev(self, sens=None):
        s = sens or self.rnd.choice(self.sens)
        c = self.cats()
        return s + (':' + c if c else '')

    def level(self, u, inside=None):
        """':range' for user u: inside its range 3 times in 5."""
        rnd = self.rnd
        if not self.p.mls:
            return ''
        if inside is None:
            inside = rnd.random() < 0.6
        low, high = str(u.mls_range.low), str(u.mls_range.high)
        if inside:
            return ':' + rnd.choice([low, high, low + '-' + high] if low != high else [low])
        if rnd.random() < 0.5:
            return ':' + self.lev()
        a, b = self.lev(), self.lev()
        return ':%s-%s' % (a, b)

    def proc(self, t=None, r=None, inside=None):
        """A process context: of type t, or role r, or any."""
        rnd = self.rnd
        if r is not None and self.by_role.get(r) and self.rtypes.get(r):
            u = rnd.choice(self.by_role[r])
            if t is None or t not in self.rtypes[r]:
                t = rnd.choice(self.rtypes[r])
        elif t is not None and t in self.by_type:
            u, r = rnd.choice(self.by_type[t])
        elif t is not None:
            u, r = rnd.choice(self.users), rnd.choice(sorted(self.by_role) or ['object_r'])
        else:
            u, r, t = rnd.choice(self.subjects)
        return '%s:%s:%s%s' % (u, r, t, self.level(u, inside))

    def obj(self, t=None, inside=None):
        u = self.rnd.choice(self.users)
        return '%s:object_r:%s%s' % (u, t or self.rnd.choice(self.types), self.level(u, inside))

    def anyclass(self):
        return self.rnd.choice(self.classes)

    def terules(self, kind, cond=lambda r: True):
        return [r for r in sorted_names(self.p.terules())
                if r.ruletype == kind and cond(r) and self.expand(r.source) and
                self.expand(r.target)]

    def from_rule(self, op, r, extra=''):
        """A question the rule answers: a valid process context of one of
        its sources (if a user may have one), an object of one of its
        targets.  With no such source, the question is asked without what
        the rule says: its context is invalid."""
        src = self.expand(r.source)
        valid = [t for t in src if t in self.by_type]
        s = self.rnd.choice(valid or src)
        t = self.rnd.choice(self.expand(r.target))
        line = '%s %s %s %s%s' % (op, self.proc(s, inside=True), self.obj(t, inside=True),
                                  r.tclass, extra)
        return line + (' # t=%s' % r.default if valid else '')

    def random3(self, op, cls=None):
        rnd = self.rnd
        s = self.proc() if rnd.random() < 0.8 else self.obj()
        return '%s %s %s %s' % (op, s, self.obj(), cls or self.anyclass())

    def relabel(self, count):
        rules = self.terules(setools.TERuletype.type_change)
        for i in range(count):
            if rules and i % 5 < 3:
                print(self.from_rule('r', self.rnd.choice(rules)))
            else:
                print(self.random3('r'))

    def member(self, count):
        rules = self.terules(setools.TERuletype.type_member)
        for i in range(count):
            if i < len(rules):
                print(self.from_rule('m', rules[i]))
            elif rules and i % 5 < 3:
                print(self.from_rule('m', self.rnd.choice(rules)))
            else:
                print(self.random3('m'))

    def named(self, count):
        rnd = self.rnd
        rules = self.terules(setools.TERuletype.type_transition,
                             lambda r: getattr(r, 'filename', None) is not None)
        lines = []
        for r in rules:
            lines.append(self.from_rule('n', r, ' ' + encode(r.filename)))
            miss = r.filename[:-1] + chr((ord(r.filename[-1]) + 1 - 33) % 94 + 33)
            lines.append(' '.join(self.from_rule('n', r, ' ' + encode(miss)).split(' ')[:5]))
        while len(lines) < count:
            if rules and rnd.random() < 0.5:
                r = rnd.choice(rules)
                lines.append(self.from_rule('n', r, ' ' + encode(r.filename)))
                continue
            name = rnd.choice(['x', 'a b', 'lost+found', '%', '.', 'name-%d' % rnd.randrange(1000)] +
                              [r.filename for r in rules[:50]])
            lines.append(self.random3('n') + ' ' + encode(name))
        for line in lines[:count]:
            print(line)

    def process(self, count):
        rnd, p = self.rnd, self.p
        lines = []
        tt = self.terules(setools.TERuletype.type_transition,
                          lambda r: str(r.tclass) == 'process' and
                          getattr(r, 'filename', None) is None)
        rt = [r for r in sorted_names(p.rbacrules())
              if r.ruletype == setools.RBACRuletype.role_transition and
              (self.expand(r.target) if hasattr(r.target, 'expand') else [str(r.target)])]
        mr = [r for r in sorted_names(p.mlsrules())
              if self.expand(r.source) and self.expand(r.target)]

        def role_line(r):
            tgt = self.expand(r.target) if hasattr(r.target, 'expand') else [str(r.target)]
            valid = self.by_role.get(str(r.source)) and self.rtypes.get(str(r.source))
            return ('p %s %s %s' % (self.proc(r=str(r.source), inside=True),
                                    self.obj(rnd.choice(tgt), inside=True), r.tclass) +
                    (' # r=%s' % r.default if valid else ''))

        def range_line(r):
            src = self.expand(r.source)
            valid = [t for t in src if t in self.by_type]
            s = rnd.choice(valid or src)
            t = rnd.choice(self.expand(r.target))
            return ('p %s %s %s' % (self.proc(s, inside=True), self.obj(t, inside=True),
                                    r.tclass) +
                    (' # l=%s' % r.default if valid else ''))
        for r in rnd.sample(tt, min(len(tt), count // 3)):
            lines.append(self.from_rule('p', r))
        lines += [role_line(r) for r in rt]
        lines += [range_line(r) for r in mr for _ in range(3)]
        # The rest: half from any of these rules, half at random.
        kinds = [k for k in ((lambda: self.from_rule('p', rnd.choice(tt))) if tt else None,
                             (lambda: role_line(rnd.choice(rt))) if rt else None,
                             (lambda: range_line(rnd.choice(mr))) if mr else None) if k]
        while len(lines) < count:
            if kinds and rnd.random() < 0.5:
                lines.append(rnd.choice(kinds)())
            else:
                lines.append(self.random3('p', 'process'))
        for line in lines[:count]:
            print(line)

    def context(self, count):
        rnd = self.rnd
        for i in range(count):
            k = i % 8
            if k < 3:
                c = self.proc()
            elif k < 5:
                c = self.obj()
            elif k == 5:	# a role the user does not have, a type the role does not
                u = rnd.choice(self.users)
                c = '%s:%s:%s%s' % (u, rnd.choice(sorted(self.rtypes)), rnd.choice(self.types),
                                    self.level(u))
            elif k == 6:	# an attribute or an unknown name in a field
                c = self.proc().split(':')
                f = rnd.randrange(3)
                c[f] = rnd.choice(self.attrs or ['none']) if f == 2 and rnd.random() < 0.7 \
                    else c[f] + '_x'
                c = ':'.join(c)
            else:		# fields missing or too many
                c = ':'.join(self.proc().split(':')[:rnd.choice([1, 2, 3])]) \
                    if rnd.random() < 0.5 else self.proc() + ':s0'
            print('x', c)

    def user(self, count):
        rnd = self.rnd
        # Users with fewer reachable contexts first: each answer adds its
        # contexts to the SID table.
        size = {str(u): sum(len(self.rtypes.get(str(r), [])) for r in u.roles)
                for u in self.users}
        small = [u for u in self.users if size[str(u)] <= 400] or self.users
        for i in range(count):
            u = rnd.choice(small if i % 4 else self.users)
            print('u', self.proc(inside=rnd.random() < 0.8), u)

    def names(self, count):
        rnd, p = self.rnd, self.p
        isids = {str(c): str(c.context) for c in p.initialsids()}
        kernel = isids.get('kernel')
        rules = self.terules(setools.TERuletype.type_transition,
                             lambda r: getattr(r, 'filename', None) is not None and
                             'tmpfs_t' in self.expand(r.target) or
                             (str(r.target) == 'base_t' and
                              getattr(r, 'filename', None) is not None))
        kinds = {'file': 'f', 'dir': 'd', 'fifo_file': 'p', 'lnk_file': 'l'}
        lines = []
        for r in rules:
            k = kinds.get(str(r.tclass))
            if not k or '/' in r.filename or not r.filename.isprintable() or ' ' in r.filename:
                continue
            for s in self.expand(r.source)[:3]:
                d = self.proc(s, inside=True)
                lines += ['%s %s %s' % (d, k, r.filename), '%s %s %sx' % (d, k, r.filename)]
        doms = [kernel] + [self.proc(inside=True) for _ in range(3)]
        while len(lines) < count:
            lines.append('%s %s n%d' % (rnd.choice(doms), rnd.choice('fdpl'), len(lines)))
        for line in lines[:count]:
            print(line)
        for g in sorted(p.genfscons(), key=str):
            print('genfs', g.fs, g.path)

    def validatetrans(self, count):
        rnd, p = self.rnd, self.p
        ruled = sorted({str(c.tclass) for c in p.constraints()
                        if 'validatetrans' in str(c.ruletype)}) or self.classes
        roles = sorted(self.rtypes)

        def ctx():
            u = rnd.choice(self.users)
            r = 'object_r' if rnd.random() < 0.75 else rnd.choice(roles)
            return '%s:%s:%s%s' % (u, r, rnd.choice(self.types),
                                   self.level(u, rnd.random() < 0.9))
        for _ in range(count):
            cls = rnd.choice(ruled) if rnd.random() < 0.75 else self.anyclass()
            print('v', ctx(), ctx(), cls, self.proc(inside=rnd.random() < 0.9))

    def run(self, what, count):
        getattr(self, what)(count)


if __name__ == '__main__':
    main()
