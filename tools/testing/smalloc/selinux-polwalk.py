#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Where every field of a binary SELinux policy lies, for structured mutation.

  selinux-polwalk.py check <policy>...
  selinux-polwalk.py dump <policy>

It reads a policy as policydb_read() in security/selinux/ss/ does, version
checks and all, and notes each field read as a record (offset, size, kind,
path): kind is 'count' (a u32 that says how many items follow, or an nprim),
'len' (a string's u32 length), 'string' (its bytes) or 'value' (any other
u8, u16, u32 or u64), and path names it: "symtab.classes[3].perms[2].len".
Each top-level part of the file is a section (start, end, name), and each
item of a section's counted list an item (start, end, section, index); a
section takes in its count, an item does not.

'check' prints "<policy>: ok <bytes> <nrecords> records, <nitems> items" if
the walk ends exactly at the end of the file, else where and why it stopped
(and exits 1).  'dump' prints "offset size kind path" per record, "section
start end name" per section, then "item start end section index" per item.

Imported, walk(data) returns an object with .records, .sections, .items and
.version, or raises WalkError where the kernel would stop reading the layout
(the header, and what decides how many bytes come next, not the values of
types, classes or bounds) or if bytes follow the policy (walk(data,
exact=False) lets them be, as the kernel does); its .walk holds what was
read.  'dump' of such a file prints that, and why it stopped (exit 1).
"""
import contextlib
import struct
import sys

POLICYDB_MAGIC, POLICYDB_STRING = 0xf97cff8c, b"SE Linux"
POLICYDB_CONFIG_MLS = 1

# POLICYDB_VERSION_* of security/selinux/include/security.h
V_BOOL, V_MLS, V_AVTAB, V_RANGETRANS, V_POLCAP = 16, 19, 20, 21, 22
V_PERMISSIVE, V_BOUNDARY, V_FILENAME_TRANS, V_ROLETRANS = 23, 24, 25, 26
V_NEW_OBJECT_DEFAULTS, V_DEFAULT_TYPE, V_CONSTRAINT_NAMES = 27, 28, 29
V_XPERMS_IOCTL, V_INFINIBAND, V_COMP_FTRANS, V_MIN, V_MAX = 30, 31, 33, 15, 33

SYMTABS = ("commons", "classes", "roles", "types", "users", "bools",
           "levels", "cats")
# The ocontext kinds, in OCON_* order, with the u32s before their contexts
OCONS = {"isid": "sid", "fs": "len", "port": "protocol low_port high_port",
         "netif": "len", "node": "addr mask", "fsuse": "behavior len",
         "node6": " ".join("%s[%d]" % (f, i) for f in ("addr", "mask")
                           for i in range(4)),
         "ibpkey": "low_pkey high_pkey", "ibendport": "len port"}

AVTAB_AV, AVTAB_TYPE, AVTAB_XPERMS, AVTAB_ENABLED = 0x7, 0x70, 0x700, 0x8000
EBITMAP_SIZE = 384      # the bits of an ebitmap node on a 64-bit kernel
CEXPR_NAMES = 5         # CEXPR_NOT(1) .. CEXPR_NAMES; only it has names

# The kind of a u32 follows from its field's name.
COUNTS = {"nprim", "nel", "ncons", "nexpr", "count", "ndatum", "nlevels",
          "nitems", "nvalidatetrans", "sym_num", "ocon_num"}


def compat(vers):
    """(sym_num, ocon_num) of policydb_compat[] for a version."""
    return (5 if vers < V_BOOL else 6 if vers < V_MLS else 8,
            6 if vers < 17 else 7 if vers < V_INFINIBAND else 9)


class WalkError(Exception):
    """Where, and on which field, the walk stopped; .walk is what it read."""
    def __init__(self, walk, path, msg):
        super().__init__("at offset %d (%s): %s" % (walk.pos, path, msg))
        self.offset, self.path, self.walk = walk.pos, path, walk


class Walk:
    """A policy's records, sections and items, read as the kernel does."""

    def __init__(self, data):
        self.data, self.pos, self.version = data, 0, 0
        self.records, self.sections, self.items = [], [], []

    # -- what next_entry() and str_read() read

    def fail(self, path, msg):
        raise WalkError(self, path, msg)

    def take(self, size, kind, path):
        if size > len(self.data) - self.pos:
            self.fail(path, "truncated: %d bytes wanted, %d left" %
                      (size, len(self.data) - self.pos))
        self.records.append((self.pos, size, kind, path))
        self.pos += size
        return self.data[self.pos - size:self.pos]

    def u32(self, path):
        field = path.rsplit(".", 1)[-1]
        kind = "len" if field.endswith("len") else \
            "count" if field in COUNTS else "value"
        return struct.unpack("<I", self.take(4, kind, path))[0]

    def u32s(self, path, fields):
        """A run of u32 fields of path, named by the words of fields."""
        return [self.u32(path + "." + f) for f in fields.split()]

    def scalar(self, fmt, path):
        """A u8, u16 or u64 value; fmt is its struct format."""
        size = struct.calcsize(fmt)
        return struct.unpack(fmt, self.take(size, "value", path))[0]

    def string(self, length, path):
        """str_read() refuses a length of 0, of ~0 or past the end."""
        if length in (0, 0xffffffff) or length > len(self.data) - self.pos:
            self.fail(path, "string length %d, %d bytes left" %
                      (length, len(self.data) - self.pos))
        return self.take(length, "string", path)

    def named(self, path, fields="len"):
        """u32 fields, then, if one is "len", a name of that length."""
        values = dict(zip(fields.split(), self.u32s(path, fields)))
        if "len" in values:
            values["name"] = self.string(values["len"], path + ".name")
        return values

    @contextlib.contextmanager
    def span(self, where, *what):
        start = self.pos
        yield
        where.append((start, self.pos) + what)

    def counted(self, sec, nel, read_one):
        """nel items of section sec, each read by read_one(sec[i])."""
        for i in range(nel):
            with self.span(self.items, sec, i):
                read_one("%s[%d]" % (sec, i))

    def list_section(self, sec, read_one, present=True):
        """A section that is a count and that many items."""
        if present:
            with self.span(self.sections, sec):
                self.counted(sec, self.u32(sec + ".nel"), read_one)

    # -- ebitmap.c, and the MLS fields and contexts of policydb.c

    def ebitmap(self, path):
        """ebitmap_read(): mapsize, highbit, count, count x (startbit, map)."""
        mapunit, highbit, count = self.u32s(path, "mapsize highbit count")
        if mapunit != 64:
            self.fail(path, "map size %d, not 64" % mapunit)
        # highbit, rounded up to a node in a u32: if that is 0, no map is
        # read, whatever the count; if not, one at least.
        if (highbit + EBITMAP_SIZE - 1) & 0xffffffff < EBITMAP_SIZE:
            return
        if count == 0:
            self.fail(path, "high bit %d with no maps" % highbit)
        for i in range(count):
            self.u32("%s.node[%d].startbit" % (path, i))
            self.scalar("<Q", "%s.node[%d].map" % (path, i))

    def mls_range(self, path):
        """mls_read_range_helper(): 0 to 2 sensitivities, 1 or 2 bitmaps."""
        items = self.u32(path + ".nlevels")
        if items > 2:
            self.fail(path, "range of %d levels" % items)
        for i in range(items):
            self.u32("%s.level[%d].sens" % (path, i))
        for i in range(1 + (items > 1)):
            self.ebitmap("%s.level[%d].cat" % (path, i))

    def context(self, path):
        """context_read_and_validate(): a range from version 19, MLS or not."""
        self.u32s(path, "user role type")
        if self.version >= V_MLS:
            self.mls_range(path + ".range")

    # -- the symbol tables, a reader for each of read_f[]

    def perms(self, nel, path):
        for i in range(nel):
            self.named("%s.perms[%d]" % (path, i), "len value")

    def common(self, path):
        self.perms(self.named(path, "len value nprim nel")["nel"], path)

    def constraints(self, ncons, path):
        """read_cons_helper(): ncons x (perms, nexpr, nexpr x expr)."""
        for i in range(ncons):
            c = "%s[%d]" % (path, i)
            for j in range(self.u32s(c, "perms nexpr")[1]):
                e = "%s.expr[%d]" % (c, j)
                etype = self.u32s(e, "type attr op")[0]
                if not 1 <= etype <= CEXPR_NAMES:
                    self.fail(e, "expression type %d" % etype)
                if etype == CEXPR_NAMES:
                    self.ebitmap(e + ".names")
                    if self.version >= V_CONSTRAINT_NAMES:   # type_set_read()
                        self.ebitmap(e + ".type_names.types")
                        self.ebitmap(e + ".type_names.negset")
                        self.u32(e + ".type_names.flags")

    def klass(self, path):
        d = self.named(path, "len comkey_len value nprim nel ncons")
        if d["comkey_len"]:
            self.string(d["comkey_len"], path + ".comkey")
        self.perms(d["nel"], path)
        self.constraints(d["ncons"], path + ".constraints")
        if self.version >= V_MLS:       # POLICYDB_VERSION_VALIDATETRANS, 19
            self.constraints(self.u32(path + ".nvalidatetrans"),
                             path + ".validatetrans")
        if self.version >= V_NEW_OBJECT_DEFAULTS:
            self.u32s(path, "default_user default_role default_range")
        if self.version >= V_DEFAULT_TYPE:
            self.u32(path + ".default_type")

    def bounded(self, path, old, new):
        """A role's, a type's or a user's u32s: new ones from version 24."""
        return self.named(path, "len value " +
                          (new if self.version >= V_BOUNDARY else old))

    def role(self, path):
        self.bounded(path, "", "bounds")
        self.ebitmap(path + ".dominates")
        self.ebitmap(path + ".types")

    def type(self, path):
        self.bounded(path, "primary", "properties bounds")

    def user(self, path):
        self.bounded(path, "", "bounds")
        self.ebitmap(path + ".roles")
        if self.version >= V_MLS:
            self.mls_range(path + ".range")
            self.u32(path + ".dfltlevel.sens")             # a level
            self.ebitmap(path + ".dfltlevel.cat")

    def bool(self, path):
        self.named(path, "value state len")     # cond_read_bool(): len last

    def sens(self, path):
        self.named(path, "len isalias")
        self.u32(path + ".level.sens")
        self.ebitmap(path + ".level.cat")

    def cat(self, path):
        self.named(path, "len value isalias")

    # -- avtab.c and conditional.c

    def avtab_item(self, path):
        """avtab_read_item(): one rule, in the old or the u16-key format."""
        if self.version < V_AVTAB:
            items = self.u32(path + ".nitems")
            if not 5 <= items <= 8:
                self.fail(path, "%d items" % items)
            for i in range(items):
                self.u32("%s.item[%d]" % (path, i))
            return
        spec = [self.scalar("<H", path + ".key." + f) for f in
                ("source_type", "target_type", "target_class", "specified")][3]
        if bin(spec & ~AVTAB_ENABLED).count("1") != 1 or \
           spec & ~(AVTAB_AV | AVTAB_TYPE | AVTAB_XPERMS | AVTAB_ENABLED):
            self.fail(path, "specifier %#x" % spec)
        if not spec & AVTAB_XPERMS:
            self.u32(path + ".datum")
            return
        if self.version < V_XPERMS_IOCTL:
            self.fail(path, "xperms rule before version 30")
        self.scalar("<B", path + ".xperms.specified")
        self.scalar("<B", path + ".xperms.driver")
        for i in range(8):
            self.u32("%s.xperms.perms[%d]" % (path, i))

    def cond_node(self, path):
        """cond_read_node(): state, expression, true and false rules."""
        for i in range(self.u32s(path, "cur_state nexpr")[1]):
            self.u32s("%s.expr[%d]" % (path, i), "type bool")
        for lst in ("true_list", "false_list"):
            for i in range(self.u32("%s.%s.nel" % (path, lst))):
                self.avtab_item("%s.%s[%d]" % (path, lst, i))

    # -- the rest of policydb_read()

    def role_trans(self, path):
        tclass = " tclass" if self.version >= V_ROLETRANS else ""
        self.u32s(path, "role type new_role" + tclass)

    def role_allow(self, path):
        self.u32s(path, "role new_role")

    def filename_trans(self, path):
        self.named(path)
        if self.version < V_COMP_FTRANS:        # a rule per entry
            self.u32s(path, "stype ttype tclass otype")
            return
        ndatum = self.u32s(path, "ttype tclass ndatum")[2]
        if ndatum == 0:
            self.fail(path, "key with no datum")
        for i in range(ndatum):
            self.ebitmap("%s.datum[%d].stypes" % (path, i))
            self.u32("%s.datum[%d].otype" % (path, i))

    def ocontext(self, kind, path):
        """An ocontext of ocontext_read()'s switch; addresses are raw."""
        if kind == "ibpkey":
            self.scalar(">Q", path + ".subnet_prefix")      # big endian
        self.named(path, OCONS[kind])
        for i in range(1 + (kind in ("fs", "netif"))):
            self.context("%s.context[%d]" % (path, i))

    def genfs(self, path):
        """A file system type of genfs_read(), with its entries."""
        self.named(path)
        for i in range(self.u32(path + ".nel")):
            e = "%s.entry[%d]" % (path, i)
            self.named(e)
            self.u32(e + ".sclass")
            self.context(e + ".context")

    def range_trans(self, path):
        tclass = " target_class" if self.version >= V_RANGETRANS else ""
        self.u32s(path, "source_type target_type" + tclass)
        self.mls_range(path + ".range")

    def policydb(self):
        """policydb_read(), part by part."""
        with self.span(self.sections, "header"):
            if self.u32("header.magic") != POLICYDB_MAGIC:
                self.fail("header.magic", "bad magic")
            if self.named("header.string")["name"] != POLICYDB_STRING:
                self.fail("header.string", "not %r" % POLICYDB_STRING)
            self.version, config, sym_num, ocon_num = self.u32s(
                "header", "version config sym_num ocon_num")
            if not V_MIN <= self.version <= V_MAX:
                self.fail("header.version", "version %d" % self.version)
            if config & POLICYDB_CONFIG_MLS and self.version < V_MLS:
                self.fail("header.config", "MLS before version 19")
        for v, sec in ((V_POLCAP, "policycaps"), (V_PERMISSIVE, "permissive")):
            if self.version >= v:
                with self.span(self.sections, sec):
                    self.ebitmap(sec)
        # the kernel checks the table sizes only after those two bitmaps
        if (sym_num, ocon_num) != compat(self.version):
            self.fail("header", "table sizes (%d,%d), not (%d,%d)" %
                      ((sym_num, ocon_num) + compat(self.version)))
        readers = (self.common, self.klass, self.role, self.type,
                   self.user, self.bool, self.sens, self.cat)
        nprim = {}
        for i in range(sym_num):
            sec = "symtab." + SYMTABS[i]
            with self.span(self.sections, sec):
                nprim[SYMTABS[i]], nel = self.u32s(sec, "nprim nel")
                self.counted(sec, nel, readers[i])
        with self.span(self.sections, "avtab"):
            nel = self.u32("avtab.nel")
            if nel == 0:
                self.fail("avtab.nel", "empty avtab")
            self.counted("avtab", nel, self.avtab_item)
        self.list_section("cond_list", self.cond_node, self.version >= V_BOOL)
        self.list_section("role_trans", self.role_trans)
        self.list_section("role_allow", self.role_allow)
        self.list_section("filename_trans", self.filename_trans,
                          self.version >= V_FILENAME_TRANS)
        for kind in list(OCONS)[:ocon_num]:
            self.list_section("ocon." + kind,
                              lambda path, k=kind: self.ocontext(k, path))
        self.list_section("genfs", self.genfs)
        self.list_section("range_trans", self.range_trans,
                          self.version >= V_MLS)
        # one ebitmap per type, as many as the types' nprim, and no count
        if self.version >= V_AVTAB:
            with self.span(self.sections, "type_attr_map"):
                self.counted("type_attr_map", nprim["types"], self.ebitmap)


def walk(data, exact=True):
    """Walk a binary policy; with exact, bytes after its end are an error."""
    w = Walk(bytes(data))
    w.policydb()
    if exact and w.pos != len(w.data):
        w.fail("end", "%d bytes follow the policy" % (len(w.data) - w.pos))
    return w


def main(argv):
    if len(argv) >= 3 and argv[1] == "check":
        status = 0
        for path in argv[2:]:
            with open(path, "rb") as f:
                data = f.read()
            try:
                w = walk(data)
                print("%s: ok %d %d records, %d items" %
                      (path, len(data), len(w.records), len(w.items)))
            except WalkError as e:
                print("%s: stopped %s, in %d bytes" % (path, e, len(data)))
                status = 1
        return status
    if len(argv) == 3 and argv[1] == "dump":
        with open(argv[2], "rb") as f:
            try:
                w, error = walk(f.read()), None
            except WalkError as e:      # dump what was read, then why not more
                w, error = e.walk, e
        lines = ["%d %d %s %s" % r for r in w.records]
        lines += ["section %d %d %s" % s for s in w.sections]
        lines += ["item %d %d %s %d" % i for i in w.items]
        sys.stdout.write("".join(line + "\n" for line in lines))
        if error:
            sys.stderr.write("%s: stopped %s\n" % (argv[2], error))
        return 1 if error else 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
