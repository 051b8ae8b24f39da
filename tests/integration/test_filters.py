"""get_partitions_by_filter, its _req form and get_num_partitions_by_filter.

The grammar is Hive's Filter.g (docs/hms-compatibility.md#partition-filters): = <> != < <= > >= LIKE (Java regex, whole
value), (key) [NOT] IN (...), key [NOT] BETWEEN a AND b, (struct(k1, k2)) [NOT] IN
(const struct(...), ...), AND binding tighter than OR, parentheses, case-insensitive keywords
and key names, "..." and '...' strings, bare/quoted/DATE 'x' dates, reversed operands.
Comparisons follow the key's type: numeric for integral keys, chronological for date keys,
lexicographic for strings. A __HIVE_DEFAULT_PARTITION__ value matches no comparison.

Each expected result is computed here from the partition set, by a small evaluator that
knows nothing about the filter text: every case pairs a filter string with a Python
predicate written by hand.
"""

import datetime
import re

from harness import ArbordTestCase, hms, main, make_table

DB = "fdb"
DEFAULT = "__HIVE_DEFAULT_PARTITION__"
KEYS = (("s", "string"), ("i", "int"), ("d", "date"))
ROWS = [
    ("a", "5", "2024-01-01"),
    ("a", "10", "2024-01-09"),
    ("b", "9", "2024-01-10"),
    ("b", "100", "2024-02-01"),
    ("ab", "-3", "2023-12-31"),
    ("xyz", "0", "2024-01-01"),
    ("10", "10", "2024-01-10"),
    ("9", "9", "2024-01-09"),
    ('say "hi"', "5", "2024-02-01"),
    ("it's", "100", "2024-01-01"),
    ("Apple", "5", "2024-01-10"),
    (DEFAULT, "5", "2024-01-01"),
    ("a", DEFAULT, "2024-01-01"),
    ("b", "0", DEFAULT),
]


def typed(key, value):
    if key == "i":
        return int(value)
    if key == "d":
        return datetime.date.fromisoformat(value)
    return value


def cmp(key, op, literal):
    """Predicate: row[key] <op> literal, typed by key; a default value never matches."""
    ops = {"=": lambda a, b: a == b, "<>": lambda a, b: a != b, "<": lambda a, b: a < b,
           "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}
    index = [k for k, _ in KEYS].index(key)

    def pred(row):
        value = row[index]
        if value == DEFAULT:
            return False
        return ops[op](typed(key, value), typed(key, literal))
    return pred


def like(key, regex):
    index = [k for k, _ in KEYS].index(key)
    return lambda row: row[index] != DEFAULT and re.fullmatch(regex, row[index]) is not None


def AND(*ps):
    return lambda row: all(p(row) for p in ps)


def OR(*ps):
    return lambda row: any(p(row) for p in ps)


def IN(key, *literals):
    return OR(*[cmp(key, "=", lit) for lit in literals])


def NOT_IN(key, *literals):
    return AND(*[cmp(key, "<>", lit) for lit in literals])


def BETWEEN(key, lo, hi):
    return AND(cmp(key, ">=", lo), cmp(key, "<=", hi))


def NOT_BETWEEN(key, lo, hi):
    return OR(cmp(key, "<", lo), cmp(key, ">", hi))


# (filter, predicate). Expected results come from the predicate only.
CASES = [
    # every operator, string key
    ('s = "a"', cmp("s", "=", "a")),
    ('s <> "a"', cmp("s", "<>", "a")),
    ('s != "a"', cmp("s", "<>", "a")),
    ('s < "5"', cmp("s", "<", "5")),  # lexicographic: "10" < "5", "9" is not
    ('s <= "ab"', cmp("s", "<=", "ab")),
    ('s > "b"', cmp("s", ">", "b")),
    ('s >= "b"', cmp("s", ">=", "b")),
    # every operator, integer key: numeric, so 9 < 10 < 100
    ("i = 10", cmp("i", "=", "10")),
    ("i <> 10", cmp("i", "<>", "10")),
    ("i != 5", cmp("i", "<>", "5")),
    ("i < 10", cmp("i", "<", "10")),
    ("i <= 9", cmp("i", "<=", "9")),
    ("i > 9", cmp("i", ">", "9")),
    ("i >= 10", cmp("i", ">=", "10")),
    ("i > -5", cmp("i", ">", "-5")),
    ("i = -3", cmp("i", "=", "-3")),
    ("i>=10", cmp("i", ">=", "10")),
    # reversed operands
    ("5 < i", cmp("i", ">", "5")),
    ("100 <= i", cmp("i", ">=", "100")),
    ('"b" >= s', cmp("s", "<=", "b")),
    ("2024-01-09 > d", cmp("d", "<", "2024-01-09")),
    # LIKE in the shapes Spark sends (Java regex over the whole value)
    ('s like ".*b.*"', like("s", ".*b.*")),
    ('s LIKE "a.*"', like("s", "a.*")),
    ('s like ".*z"', like("s", ".*z")),
    ('s like "A.*"', like("s", "A.*")),  # case-sensitive
    # IN / NOT IN, parenthesised key
    ('(s) IN ("a", "xyz")', IN("s", "a", "xyz")),
    ('(s) NOT IN ("a", "b")', NOT_IN("s", "a", "b")),
    ("(i) IN (5, 100)", IN("i", "5", "100")),
    ("(i) NOT IN (5, 100)", NOT_IN("i", "5", "100")),
    # BETWEEN / NOT BETWEEN (inclusive)
    ("i BETWEEN 5 AND 10", BETWEEN("i", "5", "10")),
    ("i NOT BETWEEN 5 AND 10", NOT_BETWEEN("i", "5", "10")),
    ('s between "a" and "b"', BETWEEN("s", "a", "b")),
    ("d BETWEEN 2024-01-01 AND 2024-01-10", BETWEEN("d", "2024-01-01", "2024-01-10")),
    # multi-column struct IN
    ('(struct(s, i)) IN (const struct("a", 5), const struct("b", 9))',
     OR(AND(cmp("s", "=", "a"), cmp("i", "=", "5")), AND(cmp("s", "=", "b"), cmp("i", "=", "9")))),
    ('(struct(s, d)) NOT IN (const struct("a", 2024-01-01))',
     OR(cmp("s", "<>", "a"), cmp("d", "<>", "2024-01-01"))),
    # dates: bare, quoted, DATE 'x'; compared as dates
    ("d = 2024-01-10", cmp("d", "=", "2024-01-10")),
    ('d = "2024-01-10"', cmp("d", "=", "2024-01-10")),
    ("d = '2024-01-10'", cmp("d", "=", "2024-01-10")),
    ("d = DATE '2024-01-10'", cmp("d", "=", "2024-01-10")),
    ("d > 2024-01-09", cmp("d", ">", "2024-01-09")),
    ('d < "2024-01-01"', cmp("d", "<", "2024-01-01")),
    ("d >= DATE '2024-01-10'", cmp("d", ">=", "2024-01-10")),
    ("d <> 2024-01-01", cmp("d", "<>", "2024-01-01")),
    # AND binds tighter than OR; parentheses override
    ('s = "a" or s = "b" and i > 9', OR(cmp("s", "=", "a"), AND(cmp("s", "=", "b"),
                                                                  cmp("i", ">", "9")))),
    ('(s = "a" or s = "b") and i > 9', AND(OR(cmp("s", "=", "a"), cmp("s", "=", "b")),
                                           cmp("i", ">", "9"))),
    ('s = "a" and i = 5 or d = 2024-02-01', OR(AND(cmp("s", "=", "a"), cmp("i", "=", "5")),
                                               cmp("d", "=", "2024-02-01"))),
    ('s = "a" and (i = 5 or d = 2024-01-09)', AND(cmp("s", "=", "a"),
                                                  OR(cmp("i", "=", "5"),
                                                     cmp("d", "=", "2024-01-09")))),
    ("((i > 0))", cmp("i", ">", "0")),
    # case-insensitive keywords and key names
    ('s = "a" AnD i >= 10 oR s LiKe "x.*"', OR(AND(cmp("s", "=", "a"), cmp("i", ">=", "10")),
                                               like("s", "x.*"))),
    ('(S) In ("b")', IN("s", "b")),
    ("I bEtWeEn 5 aNd 9", BETWEEN("i", "5", "9")),
    ("(i) not in (5)", NOT_IN("i", "5")),
    ("D = date '2024-01-01'", cmp("d", "=", "2024-01-01")),
    # both quote styles (Spark uses '...' when the value contains ")
    ("s = 'say \"hi\"'", cmp("s", "=", 'say "hi"')),
    ('s = "it\'s"', cmp("s", "=", "it's")),
    ("s = 'a'", cmp("s", "=", "a")),
    # typed comparison across keys of different types in one filter
    ('i = 10 and s = "10"', AND(cmp("i", "=", "10"), cmp("s", "=", "10"))),
    # default partitions never match, not even <> or NOT IN
    ('s <> "zzz"', cmp("s", "<>", "zzz")),
    ("i > -1000", cmp("i", ">", "-1000")),
    ("d <> 2000-01-01", cmp("d", "<>", "2000-01-01")),
    ('(s) NOT IN ("zzz")', NOT_IN("s", "zzz")),
]

SYNTAX_ERRORS = ['s = ', 's = "a" and', 's == "a"', '(s = "a"', 's "a"', 's = "unterminated',
                 'and s = "a"', "s = a b c", "(s) IN ()"]


class FilterTest(ArbordTestCase):
    database = DB

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        c = cls.server.client()
        try:
            table = make_table(DB, "f", part_keys=KEYS)
            c.create_table(table)
            sd = c.get_table(DB, "f").sd
            sd.location = None
            parts = [hms.Partition(values=list(r), dbName=DB, tableName="f", sd=sd, parameters={})
                     for r in ROWS]
            assert c.add_partitions(parts) == len(ROWS)
            c.create_table(make_table(DB, "big", part_keys=(("n", "bigint"), ("t", "tinyint"))))
            bsd = c.get_table(DB, "big").sd
            bsd.location = None
            c.add_partitions([hms.Partition(values=[n, t], dbName=DB, tableName="big", sd=bsd,
                                            parameters={})
                              for n, t in (("3000000000", "1"), ("999", "-2"),
                                           ("-3000000000", "10"), ("42", "2"))])
        finally:
            c.close()

    def expected(self, pred):
        return sorted(r for r in ROWS if pred(r))

    def got(self, parts):
        return sorted(tuple(p.values) for p in parts)

    def test_cases(self):
        for text, pred in CASES:
            want = self.expected(pred)
            with self.subTest(filter=text):
                self.assertEqual(self.got(self.c.get_partitions_by_filter(DB, "f", text, -1)), want)
                req = hms.GetPartitionsByFilterRequest(dbName=DB, tblName="f", filter=text,
                                                       maxParts=-1)
                self.assertEqual(self.got(self.c.get_partitions_by_filter_req(req)), want)
                self.assertEqual(self.c.get_num_partitions_by_filter(DB, "f", text), len(want))

    def test_cases_are_selective(self):
        # Guard on the test data: most cases must select a proper, non-empty subset, or the
        # comparisons above would prove little.
        trivial = [t for t, p in CASES if len(self.expected(p)) in (0, len(ROWS))]
        self.assertEqual(trivial, [])

    def test_numeric_compare_beyond_int32(self):
        got = self.got(self.c.get_partitions_by_filter(DB, "big", "n > 1000", -1))
        self.assertEqual(got, [("3000000000", "1")])
        got = self.got(self.c.get_partitions_by_filter(DB, "big", "n < 1000 and t < 5", -1))
        self.assertEqual(got, [("42", "2"), ("999", "-2")])
        got = self.got(self.c.get_partitions_by_filter(DB, "big", "t >= 2", -1))
        self.assertEqual(got, [("-3000000000", "10"), ("42", "2")])

    def test_empty_filter_returns_all(self):
        self.assertEqual(self.got(self.c.get_partitions_by_filter(DB, "f", "", -1)), sorted(ROWS))
        self.assertEqual(self.c.get_num_partitions_by_filter(DB, "f", ""), len(ROWS))

    def test_max_parts(self):
        want = self.expected(cmp("i", ">", "0"))
        two = self.got(self.c.get_partitions_by_filter(DB, "f", "i > 0", 2))
        self.assertEqual(len(two), 2)
        self.assertTrue(set(two) <= set(want))
        self.assertEqual(self.c.get_partitions_by_filter(DB, "f", "i > 0", 0), [])
        req = hms.GetPartitionsByFilterRequest(dbName=DB, tblName="f", filter="i > 0", maxParts=3)
        three = self.got(self.c.get_partitions_by_filter_req(req))
        self.assertEqual(len(three), 3)
        self.assertTrue(set(three) <= set(want))

    def assert_meta(self, text, prefix=None):
        calls = [
            lambda: self.c.get_partitions_by_filter(DB, "f", text, -1),
            lambda: self.c.get_partitions_by_filter_req(hms.GetPartitionsByFilterRequest(
                dbName=DB, tblName="f", filter=text, maxParts=-1)),
            lambda: self.c.get_num_partitions_by_filter(DB, "f", text),
        ]
        for call in calls:
            with self.assertRaises(hms.MetaException) as ctx:
                call()
            if prefix is not None:
                self.assertTrue(ctx.exception.message.startswith(prefix), ctx.exception.message)

    def test_syntax_errors(self):
        for text in SYNTAX_ERRORS:
            with self.subTest(filter=text):
                self.assert_meta(text, "Error parsing partition filter")

    def test_unknown_key(self):
        self.assert_meta('x = "a"')
        self.assert_meta('s = "a" and nokey > 5')

    def test_bad_regex(self):
        self.assert_meta('s like "(unclosed"')
        self.assert_meta('s like "*a"')

    def test_missing_table(self):
        NoSuch = hms.NoSuchObjectException
        self.assertRaisesHms(NoSuch, self.c.get_partitions_by_filter, DB, "nosuch", 's = "a"', -1)
        self.assertRaisesHms(NoSuch, self.c.get_partitions_by_filter, "nosuchdb", "f", 's = "a"',
                             -1)
        self.assertRaisesHms(NoSuch, self.c.get_partitions_by_filter_req,
                             hms.GetPartitionsByFilterRequest(dbName=DB, tblName="nosuch",
                                                              filter='s = "a"'))
        self.assertRaisesHms(NoSuch, self.c.get_num_partitions_by_filter, DB, "nosuch", 's = "a"')


if __name__ == "__main__":
    main()
