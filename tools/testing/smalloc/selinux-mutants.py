#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Mutated SELinux policies for selinux.sh: structured, not truncated.

  selinux-mutants.py <seed> <count> <name>=<policy>...

Prints <count> lines "<id> <name> <kind> <op>...", a mutant of policy <name>
(drawn in proportion to the weights below: the reference policy, 10 times
the cost of a load of mdp, gets 1 in 10), for "selinux-query -M", which
applies the ops in order to the policy's bytes and loads the result:

  x<off>:<xor>         flip the bits <xor> of the byte at <off>
  w<off>:<hex>         overwrite the bytes at <off> with <hex>
  s<a>:<b>:<c>:<d>     swap the ranges [a, b) and [c, d), b <= c
  d<a>:<b>             delete the range [a, b)
  c<a>:<b>             copy the range [a, b) to <b> (a record twice)

The mutations, on what selinux-polwalk.py says each byte is:
  bit      one bit of any byte flipped
  byte     a byte set to 00, ff or at random
  count    a count (of items, of a bitmap's nodes, ...) +1, -1, 0, doubled
           or 0xffffffff
  len      a string length +1, -1, 0 or 0x7fffffff
  value    a value (type, class, permission bits, ...) +1, 0, 0xffffffff
           or at random
  swap     two items of one list swapped (symbols, rules, contexts, ...)
  section  two sections swapped
  delete   an item deleted, and its list's count made to match
  dup      an item copied after itself, and the count made to match
None truncates the file.  The same seed and policies give the same lines.
"""
import random
import struct
import sys

sys.path.insert(0, sys.path[0])
import importlib.util  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    'polwalk', __file__.replace('selinux-mutants.py', 'selinux-polwalk.py'))
polwalk = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(polwalk)

KINDS = ['bit', 'byte', 'count', 'len', 'value', 'swap', 'section', 'delete', 'dup']


def u32(v):
    return struct.pack('<I', v & 0xffffffff).hex()


class Policy:
    def __init__(self, name, path):
        self.name = name
        with open(path, 'rb') as f:
            self.data = f.read()
        w = polwalk.walk(self.data)
        self.records = w.records
        self.by_kind = {}
        for r in w.records:
            self.by_kind.setdefault(r[2], []).append(r)
        self.sections = [s for s in w.sections if s[1] > s[0]]
        # Items by list: (section, the count record that precedes them).
        lists = {}
        for it in w.items:
            lists.setdefault(it[2], []).append(it)
        self.lists = []
        counts = self.by_kind.get('count', [])
        for sec, items in lists.items():
            items.sort()
            # The items of one list are contiguous runs; split on gaps.
            run = [items[0]]
            for it in items[1:]:
                if it[0] == run[-1][1]:
                    run.append(it)
                else:
                    self.lists.append(self.with_count(run, counts))
                    run = [it]
            self.lists.append(self.with_count(run, counts))
        self.lists = [lst for lst in self.lists if lst[1] is not None]

    def with_count(self, run, counts):
        """The run and the u32 count right before it, if it is its length
        (type_attr_map has none: its bitmaps are one per type)."""
        for c in counts:
            if c[1] == 4 and c[0] + 4 == run[0][0] and \
                    struct.unpack_from('<I', self.data, c[0])[0] == len(run):
                return run, c
        return run, None

    def u32_at(self, off):
        return struct.unpack_from('<I', self.data, off)[0]


def mutate(p, kind, rnd):
    """The ops of one mutant of kind, or None if p has nothing of that kind."""
    n = len(p.data)
    if kind == 'bit':
        return ['x%d:%d' % (rnd.randrange(n), 1 << rnd.randrange(8))]
    if kind == 'byte':
        return ['w%d:%02x' % (rnd.randrange(n), rnd.choice([0, 0xff, rnd.randrange(256)]))]
    if kind in ('count', 'len', 'value'):
        recs = [r for r in p.by_kind.get(kind, []) if r[1] == 4]
        if not recs:
            return None
        off = rnd.choice(recs)[0]
        v = p.u32_at(off)
        if kind == 'count':
            new = rnd.choice([v + 1, v - 1, 0, 2 * v, 0xffffffff])
        elif kind == 'len':
            new = rnd.choice([v + 1, v - 1, 0, 0x7fffffff])
        else:
            new = rnd.choice([v + 1, 0, 0xffffffff, rnd.randrange(1 << 32)])
        if new & 0xffffffff == v:
            new = v ^ 1
        return ['w%d:%s' % (off, u32(new))]
    if kind == 'swap':
        lists = [lst for lst in p.lists if len(lst[0]) >= 2]
        if not lists:
            return None
        run = rnd.choice(lists)[0]
        i, j = sorted(rnd.sample(range(len(run)), 2))
        a, b = run[i][:2]
        c, d = run[j][:2]
        if p.data[a:b] == p.data[c:d]:
            return None
        return ['s%d:%d:%d:%d' % (a, b, c, d)]
    if kind == 'section':
        if len(p.sections) < 3:
            return None
        # Not the header: a mutant would only fail its magic.
        i, j = sorted(rnd.sample(range(1, len(p.sections)), 2))
        a, b = p.sections[i][:2]
        c, d = p.sections[j][:2]
        if b > c:
            return None
        return ['s%d:%d:%d:%d' % (a, b, c, d)]
    if kind in ('delete', 'dup'):
        if not p.lists:
            return None
        run, cnt = rnd.choice(p.lists)
        it = rnd.choice(run)
        v = len(run) + (1 if kind == 'dup' else -1)
        return ['w%d:%s' % (cnt[0], u32(v)),
                ('c%d:%d' if kind == 'dup' else 'd%d:%d') % it[:2]]
    raise ValueError(kind)


def main():
    seed, count = int(sys.argv[1]), int(sys.argv[2])
    pols = [Policy(*a.split('=', 1)) for a in sys.argv[3:]]
    # The reference policy (the largest) 1 time in 10, the others alike.
    big = max(pols, key=lambda p: len(p.data))
    weights = [1 if p is big and len(pols) > 1 else 9 / max(1, len(pols) - 1) for p in pols]
    rnd = random.Random(seed)
    i = 0
    seen = set()
    while i < count:
        p = rnd.choices(pols, weights)[0]
        kind = KINDS[i % len(KINDS)]
        ops = mutate(p, kind, rnd)
        if not ops or (p.name, tuple(ops)) in seen:
            continue
        seen.add((p.name, tuple(ops)))
        print('%04d %s %s %s' % (i, p.name, kind, ' '.join(ops)))
        i += 1


if __name__ == '__main__':
    main()
