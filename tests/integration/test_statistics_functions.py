"""Column statistics, functions and the constraint getters over the Thrift API.

Statistics: every ColumnStatisticsData kind round-trips through the table and partition
calls (legacy and _req); aggregation follows Hive's column-stats aggregators (numNulls and
the boolean counts add up, numDVs/maxColLen/avgColLen take the maximum, low/high take the
minimum/maximum by value, partsFound counts the partitions that have stats); each family
raises in its own slots (update: 1 NoSuchObject 2 InvalidObject 3 Meta 4 InvalidInput;
get/delete: 1 NoSuchObject 2 Meta ...). Functions follow Hive's TestFunctions: names are
lower-cased, a missing function is NoSuchObjectException "... <fn> does not exist" (Spark
matches that text), alter of a missing function or onto an existing one is MetaException.
"""

from harness import ArbordTestCase, hms, main, make_table

DB = "sdb"
COLS = (("b", "boolean"), ("l", "bigint"), ("d", "double"), ("s", "string"), ("bin", "binary"),
        ("dec", "decimal(10,2)"), ("dt", "date"), ("ts", "timestamp"), ("extra", "int"))
TYPES = dict(COLS)


def dec(unscaled, scale=2):
    return hms.Decimal(scale=scale, unscaled=unscaled.to_bytes(8, "big", signed=True))


def obj(col, **data):
    return hms.ColumnStatisticsObj(colName=col, colType=TYPES[col],
                                   statsData=hms.ColumnStatisticsData(**data))


def full_stats(k=0):
    """One object per kind; k shifts the numbers so sets differ."""
    return [
        obj("b", booleanStats=hms.BooleanColumnStatsData(numTrues=10 + k, numFalses=5 + k,
                                                         numNulls=1 + k)),
        obj("l", longStats=hms.LongColumnStatsData(lowValue=-5 - k, highValue=100 + k,
                                                   numNulls=2 + k, numDVs=50 + k)),
        obj("d", doubleStats=hms.DoubleColumnStatsData(lowValue=-1.5 - k, highValue=2.25 + k,
                                                       numNulls=3 + k, numDVs=40 + k)),
        obj("s", stringStats=hms.StringColumnStatsData(maxColLen=20 + k, avgColLen=7.5 + k,
                                                       numNulls=4 + k, numDVs=30 + k)),
        obj("bin", binaryStats=hms.BinaryColumnStatsData(maxColLen=100 + k, avgColLen=50.5 + k,
                                                         numNulls=5 + k)),
        obj("dec", decimalStats=hms.DecimalColumnStatsData(lowValue=dec(-250 - k),
                                                           highValue=dec(10000 + k),
                                                           numNulls=6 + k, numDVs=20 + k)),
        obj("dt", dateStats=hms.DateColumnStatsData(lowValue=hms.Date(daysSinceEpoch=19000 - k),
                                                    highValue=hms.Date(daysSinceEpoch=19500 + k),
                                                    numNulls=7 + k, numDVs=10 + k)),
        obj("ts", timestampStats=hms.TimestampColumnStatsData(
            lowValue=hms.Timestamp(secondsSinceEpoch=1600000000 - k),
            highValue=hms.Timestamp(secondsSinceEpoch=1700000000 + k),
            numNulls=8 + k, numDVs=9 + k)),
    ]


def table_cs(table, objs):
    return hms.ColumnStatistics(
        statsDesc=hms.ColumnStatisticsDesc(isTblLevel=True, dbName=DB, tableName=table,
                                           lastAnalyzed=1700000000),
        statsObj=objs)


def part_cs(table, part_name, objs):
    return hms.ColumnStatistics(
        statsDesc=hms.ColumnStatisticsDesc(isTblLevel=False, dbName=DB, tableName=table,
                                           partName=part_name, lastAnalyzed=1700000000),
        statsObj=objs)


def by_col(objs):
    return {o.colName: o for o in objs}


class StatsTestCase(ArbordTestCase):
    database = DB

    def new_table(self, name, parts=()):
        self.c.create_table(make_table(DB, name, cols=COLS, part_keys=(("p", "string"),)))
        if parts:
            sd = self.c.get_table(DB, name).sd
            sd.location = None
            self.c.add_partitions([hms.Partition(values=[v], dbName=DB, tableName=name, sd=sd,
                                                 parameters={}) for v in parts])


class TableStatsTest(StatsTestCase):
    def test_table_stats_legacy_every_kind(self):
        self.new_table("t1")
        self.assertTrue(self.c.update_table_column_statistics(table_cs("t1", full_stats())))
        for o in full_stats():
            with self.subTest(col=o.colName):
                cs = self.c.get_table_column_statistics(DB, "t1", o.colName)
                self.assertTrue(cs.statsDesc.isTblLevel)
                self.assertEqual(cs.statsDesc.dbName, DB)
                self.assertEqual(cs.statsDesc.tableName, "t1")
                self.assertEqual(cs.statsObj, [o])
        # Column names are case-insensitive.
        self.assertEqual(self.c.get_table_column_statistics(DB, "t1", "L").statsObj,
                         [full_stats()[1]])

        # A second update replaces that column's stats and keeps the others.
        newer = full_stats(7)
        self.assertTrue(self.c.update_table_column_statistics(table_cs("t1", [newer[1]])))
        self.assertEqual(self.c.get_table_column_statistics(DB, "t1", "l").statsObj, [newer[1]])
        self.assertEqual(self.c.get_table_column_statistics(DB, "t1", "s").statsObj,
                         [full_stats()[3]])

    def test_table_stats_req(self):
        self.new_table("t2")
        res = self.c.update_table_column_statistics_req(hms.SetPartitionsStatsRequest(
            colStats=[table_cs("t2", full_stats())], engine="hive"))
        self.assertTrue(res.result)
        got = self.c.get_table_statistics_req(hms.TableStatsRequest(
            dbName=DB, tblName="t2", colNames=["l", "s", "dec", "extra"]))
        want = by_col(full_stats())
        # "extra" has no stats and is simply absent.
        self.assertEqual(by_col(got.tableStats), {c: want[c] for c in ("l", "s", "dec")})
        got = self.c.get_table_statistics_req(hms.TableStatsRequest(
            dbName=DB, tblName="t2", colNames=[c for c, _ in COLS]))
        self.assertEqual(by_col(got.tableStats), want)
        got = self.c.get_table_statistics_req(hms.TableStatsRequest(
            dbName=DB, tblName="t2", colNames=[]))
        self.assertEqual(got.tableStats, [])

    def test_table_stats_errors(self):
        self.new_table("t3")
        NoSuch = hms.NoSuchObjectException
        self.assertRaisesHms(NoSuch, self.c.update_table_column_statistics,
                             table_cs("nosuch", full_stats()[:1]))
        self.assertRaisesHms(NoSuch, self.c.update_table_column_statistics_req,
                             hms.SetPartitionsStatsRequest(colStats=[table_cs("nosuch",
                                                                              full_stats()[:1])]))
        # Stats for a column the table does not have: MetaException (slot 3 of update).
        bogus = hms.ColumnStatisticsObj(colName="nocol", colType="bigint",
                                        statsData=full_stats()[1].statsData)
        self.assertRaisesHms(hms.MetaException, self.c.update_table_column_statistics,
                             table_cs("t3", [bogus]))
        self.assertRaisesHms(NoSuch, self.c.get_table_column_statistics, DB, "nosuch", "l")
        self.assertRaisesHms(NoSuch, self.c.get_table_column_statistics, DB, "t3", "l")
        self.assertRaisesHms(NoSuch, self.c.get_table_statistics_req,
                             hms.TableStatsRequest(dbName=DB, tblName="nosuch", colNames=["l"]))
        self.assertRaisesHms(NoSuch, self.c.delete_table_column_statistics, DB, "nosuch", "l",
                             "hive")
        self.assertRaisesHms(NoSuch, self.c.delete_table_column_statistics, DB, "t3", "l", "hive")

    def test_delete_table_stats(self):
        self.new_table("t4")
        self.c.update_table_column_statistics(table_cs("t4", full_stats()))
        self.assertTrue(self.c.delete_table_column_statistics(DB, "t4", "l", "hive"))
        self.assertRaisesHms(hms.NoSuchObjectException, self.c.get_table_column_statistics,
                             DB, "t4", "l")
        self.assertEqual(self.c.get_table_column_statistics(DB, "t4", "s").statsObj,
                         [full_stats()[3]])
        self.assertTrue(self.c.delete_column_statistics_req(hms.DeleteColumnStatisticsRequest(
            db_name=DB, tbl_name="t4", col_names=["s"], engine="hive", tableLevel=True)))
        self.assertRaisesHms(hms.NoSuchObjectException, self.c.get_table_column_statistics,
                             DB, "t4", "s")
        # No column name: every column's stats go.
        self.assertTrue(self.c.delete_table_column_statistics(DB, "t4", None, "hive"))
        got = self.c.get_table_statistics_req(hms.TableStatsRequest(
            dbName=DB, tblName="t4", colNames=[c for c, _ in COLS]))
        self.assertEqual(got.tableStats, [])
        self.assertRaisesHms(hms.NoSuchObjectException, self.c.delete_column_statistics_req,
                             hms.DeleteColumnStatisticsRequest(db_name=DB, tbl_name="nosuch",
                                                               tableLevel=True))


class PartitionStatsTest(StatsTestCase):
    def test_partition_stats_legacy_and_req(self):
        self.new_table("p1", parts=("1", "2", "3"))
        self.assertTrue(self.c.update_partition_column_statistics(
            part_cs("p1", "p=1", full_stats(1))))
        res = self.c.update_partition_column_statistics_req(hms.SetPartitionsStatsRequest(
            colStats=[part_cs("p1", "p=2", full_stats(2))]))
        self.assertTrue(res.result)
        for o in full_stats(1):
            with self.subTest(col=o.colName):
                cs = self.c.get_partition_column_statistics(DB, "p1", "p=1", o.colName)
                self.assertFalse(cs.statsDesc.isTblLevel)
                self.assertEqual(cs.statsDesc.partName, "p=1")
                self.assertEqual(cs.statsDesc.tableName, "p1")
                self.assertEqual(cs.statsObj, [o])

        res = self.c.get_partitions_statistics_req(hms.PartitionsStatsRequest(
            dbName=DB, tblName="p1", colNames=["l", "s", "extra"],
            partNames=["p=1", "p=2", "p=3", "p=9"]))
        # Partitions without stats (p=3) and unknown partitions (p=9) are absent.
        self.assertEqual(sorted(res.partStats), ["p=1", "p=2"])
        for name, k in (("p=1", 1), ("p=2", 2)):
            want = by_col(full_stats(k))
            self.assertEqual(by_col(res.partStats[name]), {"l": want["l"], "s": want["s"]})

        # Table-level stats are separate from partition stats.
        self.assertRaisesHms(hms.NoSuchObjectException, self.c.get_table_column_statistics,
                             DB, "p1", "l")

    def test_partition_stats_errors_and_delete(self):
        self.new_table("p2", parts=("1", "2"))
        self.c.update_partition_column_statistics(part_cs("p2", "p=1", full_stats()))
        self.c.update_partition_column_statistics(part_cs("p2", "p=2", full_stats()))
        NoSuch = hms.NoSuchObjectException
        self.assertRaisesHms(NoSuch, self.c.update_partition_column_statistics,
                             part_cs("p2", "p=9", full_stats()[:1]))
        self.assertRaisesHms(NoSuch, self.c.update_partition_column_statistics,
                             part_cs("nosuch", "p=1", full_stats()[:1]))
        self.assertRaisesHms(NoSuch, self.c.update_partition_column_statistics_req,
                             hms.SetPartitionsStatsRequest(colStats=[part_cs("p2", "p=9",
                                                                             full_stats()[:1])]))
        self.assertRaisesHms(NoSuch, self.c.get_partition_column_statistics, DB, "p2", "p=9", "l")
        self.assertRaisesHms(NoSuch, self.c.get_partition_column_statistics, DB, "nosuch", "p=1",
                             "l")
        self.assertRaisesHms(NoSuch, self.c.get_partition_column_statistics, DB, "p2", "p=1",
                             "extra")
        self.assertRaisesHms(NoSuch, self.c.get_partitions_statistics_req,
                             hms.PartitionsStatsRequest(dbName=DB, tblName="nosuch",
                                                        colNames=["l"], partNames=["p=1"]))

        self.assertTrue(self.c.delete_partition_column_statistics(DB, "p2", "p=1", "l", "hive"))
        self.assertRaisesHms(NoSuch, self.c.get_partition_column_statistics, DB, "p2", "p=1", "l")
        self.assertRaisesHms(NoSuch, self.c.delete_partition_column_statistics, DB, "p2", "p=1",
                             "l", "hive")
        self.assertRaisesHms(NoSuch, self.c.delete_partition_column_statistics, DB, "p2", "p=9",
                             "l", "hive")
        self.assertRaisesHms(NoSuch, self.c.delete_partition_column_statistics, DB, "nosuch",
                             "p=1", "l", "hive")
        # p=1 keeps its other columns, p=2 is untouched.
        self.assertEqual(len(self.c.get_partition_column_statistics(DB, "p2", "p=1", "s").statsObj),
                         1)
        self.assertTrue(self.c.delete_column_statistics_req(hms.DeleteColumnStatisticsRequest(
            db_name=DB, tbl_name="p2", part_names=["p=2"], col_names=["s", "d"], engine="hive")))
        res = self.c.get_partitions_statistics_req(hms.PartitionsStatsRequest(
            dbName=DB, tblName="p2", colNames=["l", "s", "d"], partNames=["p=1", "p=2"]))
        self.assertEqual(sorted(by_col(res.partStats["p=1"])), ["d", "s"])
        self.assertEqual(sorted(by_col(res.partStats["p=2"])), ["l"])
        # No column names: every column of the named partitions.
        self.assertTrue(self.c.delete_column_statistics_req(hms.DeleteColumnStatisticsRequest(
            db_name=DB, tbl_name="p2", part_names=["p=1", "p=2"], engine="hive")))
        res = self.c.get_partitions_statistics_req(hms.PartitionsStatsRequest(
            dbName=DB, tblName="p2", colNames=[c for c, _ in COLS], partNames=["p=1", "p=2"]))
        self.assertEqual(res.partStats, {})

    def test_aggr_stats(self):
        self.new_table("ag", parts=("1", "2", "3", "4"))
        # Three partitions with stats; p=4 has none.
        per_part = {
            "p=1": (True, 10, 3, -5, 100, 2, 50, -1.5, 2.0, 20, 7.5, 30, -250, 10000, 19000, 19500),
            "p=2": (True, 4, 9, -50, 60, 0, 80, -9.0, 1.0, 35, 3.0, 10, 125, 20000, 18000, 19400),
            "p=3": (True, 0, 1, 7, 500, 5, 20, 0.5, 9.5, 5, 9.25, 60, -900, 50, 19100, 19900),
        }
        for name, v in per_part.items():
            (_, trues, falses, lo, hi, nulls, ndv, dlo, dhi, maxlen, avglen, sndv,
             declo, dechi, dtlo, dthi) = v
            self.c.update_partition_column_statistics(part_cs("ag", name, [
                obj("b", booleanStats=hms.BooleanColumnStatsData(numTrues=trues, numFalses=falses,
                                                                 numNulls=nulls)),
                obj("l", longStats=hms.LongColumnStatsData(lowValue=lo, highValue=hi,
                                                           numNulls=nulls, numDVs=ndv)),
                obj("d", doubleStats=hms.DoubleColumnStatsData(lowValue=dlo, highValue=dhi,
                                                               numNulls=nulls, numDVs=ndv)),
                obj("s", stringStats=hms.StringColumnStatsData(maxColLen=maxlen, avgColLen=avglen,
                                                               numNulls=nulls, numDVs=sndv)),
                obj("dec", decimalStats=hms.DecimalColumnStatsData(
                    lowValue=dec(declo), highValue=dec(dechi), numNulls=nulls, numDVs=ndv)),
                obj("dt", dateStats=hms.DateColumnStatsData(
                    lowValue=hms.Date(daysSinceEpoch=dtlo), highValue=hms.Date(daysSinceEpoch=dthi),
                    numNulls=nulls, numDVs=ndv)),
            ]))
        cols = ["b", "l", "d", "s", "dec", "dt"]
        res = self.c.get_aggr_stats_for(hms.PartitionsStatsRequest(
            dbName=DB, tblName="ag", colNames=cols, partNames=["p=1", "p=2", "p=3"]))
        self.assertEqual(res.partsFound, 3)
        got = by_col(res.colStats)
        self.assertEqual(sorted(got), sorted(cols))
        vals = list(per_part.values())
        nulls = sum(v[5] for v in vals)
        ndv = max(v[6] for v in vals)

        b = got["b"].statsData.booleanStats
        self.assertEqual((b.numTrues, b.numFalses, b.numNulls),
                         (sum(v[1] for v in vals), sum(v[2] for v in vals), nulls))
        lg = got["l"].statsData.longStats
        self.assertEqual((lg.lowValue, lg.highValue, lg.numNulls, lg.numDVs),
                         (min(v[3] for v in vals), max(v[4] for v in vals), nulls, ndv))
        db = got["d"].statsData.doubleStats
        self.assertEqual((db.lowValue, db.highValue, db.numNulls, db.numDVs),
                         (min(v[7] for v in vals), max(v[8] for v in vals), nulls, ndv))
        st = got["s"].statsData.stringStats
        self.assertEqual((st.maxColLen, st.avgColLen, st.numNulls, st.numDVs),
                         (max(v[9] for v in vals), max(v[10] for v in vals), nulls,
                          max(v[11] for v in vals)))
        dc = got["dec"].statsData.decimalStats
        self.assertEqual((dc.lowValue, dc.highValue, dc.numNulls, dc.numDVs),
                         (dec(min(v[12] for v in vals)), dec(max(v[13] for v in vals)), nulls, ndv))
        dt = got["dt"].statsData.dateStats
        self.assertEqual((dt.lowValue.daysSinceEpoch, dt.highValue.daysSinceEpoch,
                          dt.numNulls, dt.numDVs),
                         (min(v[14] for v in vals), max(v[15] for v in vals), nulls, ndv))

        # partsFound counts only partitions that have stats (p=4 none, p=9 missing).
        res = self.c.get_aggr_stats_for(hms.PartitionsStatsRequest(
            dbName=DB, tblName="ag", colNames=["l"], partNames=["p=1", "p=4", "p=9"]))
        self.assertEqual(res.partsFound, 1)
        self.assertEqual([o.colName for o in res.colStats], ["l"])
        # Nothing to aggregate.
        for colnames, partnames in ((["l"], []), ([], ["p=1"])):
            res = self.c.get_aggr_stats_for(hms.PartitionsStatsRequest(
                dbName=DB, tblName="ag", colNames=colnames, partNames=partnames))
            self.assertEqual((res.colStats, res.partsFound), ([], 0))
        self.assertRaisesHms(hms.NoSuchObjectException, self.c.get_aggr_stats_for,
                             hms.PartitionsStatsRequest(dbName=DB, tblName="nosuch", colNames=["l"],
                                                        partNames=["p=1"]))

    def test_set_aggr_stats_for(self):
        self.new_table("sa", parts=("1", "2"))

        def long_stats(lo, hi):
            return [obj("l", longStats=hms.LongColumnStatsData(lowValue=lo, highValue=hi,
                                                               numNulls=1, numDVs=10))]
        self.assertTrue(self.c.set_aggr_stats_for(hms.SetPartitionsStatsRequest(
            colStats=[part_cs("sa", "p=1", long_stats(0, 50)),
                      part_cs("sa", "p=2", long_stats(10, 20))], needMerge=False)))
        got = self.c.get_partition_column_statistics(DB, "sa", "p=1", "l").statsObj[0]
        self.assertEqual((got.statsData.longStats.lowValue, got.statsData.longStats.highValue),
                         (0, 50))
        got = self.c.get_partition_column_statistics(DB, "sa", "p=2", "l").statsObj[0]
        self.assertEqual((got.statsData.longStats.lowValue, got.statsData.longStats.highValue),
                         (10, 20))

        # needMerge: low takes the minimum, high the maximum of old and new.
        self.assertTrue(self.c.set_aggr_stats_for(hms.SetPartitionsStatsRequest(
            colStats=[part_cs("sa", "p=1", long_stats(-100, 5))], needMerge=True)))
        got = self.c.get_partition_column_statistics(DB, "sa", "p=1", "l").statsObj[0]
        self.assertEqual((got.statsData.longStats.lowValue, got.statsData.longStats.highValue),
                         (-100, 50))
        # Without merge the new stats replace the old.
        self.assertTrue(self.c.set_aggr_stats_for(hms.SetPartitionsStatsRequest(
            colStats=[part_cs("sa", "p=1", long_stats(3, 4))], needMerge=False)))
        got = self.c.get_partition_column_statistics(DB, "sa", "p=1", "l").statsObj[0]
        self.assertEqual((got.statsData.longStats.lowValue, got.statsData.longStats.highValue),
                         (3, 4))
        # Table-level statistics through the same call.
        self.assertTrue(self.c.set_aggr_stats_for(hms.SetPartitionsStatsRequest(
            colStats=[table_cs("sa", long_stats(7, 8))])))
        self.assertEqual(self.c.get_table_column_statistics(DB, "sa", "l").statsObj,
                         long_stats(7, 8))
        self.assertRaisesHms(hms.NoSuchObjectException, self.c.set_aggr_stats_for,
                             hms.SetPartitionsStatsRequest(colStats=[part_cs("sa", "p=9",
                                                                             long_stats(0, 1))]))


class FunctionTest(StatsTestCase):
    def function(self, name, db=DB, cls="com.example.Upper", uris=None):
        return hms.Function(functionName=name, dbName=db, className=cls, ownerName="owner",
                            ownerType=hms.PrincipalType.USER, createTime=0,
                            functionType=hms.FunctionType.JAVA, resourceUris=uris)

    def test_create_get_alter_drop(self):
        uris = [hms.ResourceUri(resourceType=hms.ResourceType.JAR, uri="hdfs:///lib/a.jar"),
                hms.ResourceUri(resourceType=hms.ResourceType.FILE, uri="hdfs:///lib/b.txt"),
                hms.ResourceUri(resourceType=hms.ResourceType.ARCHIVE, uri="hdfs:///lib/c.tgz")]
        self.c.create_function(self.function("MyUpper", uris=uris))
        f = self.c.get_function(DB, "myupper")
        self.assertEqual(f.functionName, "myupper")
        self.assertEqual(f.dbName, DB)
        self.assertEqual(f.className, "com.example.Upper")
        self.assertEqual(f.ownerName, "owner")
        self.assertEqual(f.ownerType, hms.PrincipalType.USER)
        self.assertEqual(f.functionType, hms.FunctionType.JAVA)
        self.assertEqual(f.resourceUris, uris)
        self.assertGreater(f.createTime, 0)
        self.assertEqual(self.c.get_function("SDB", "MYUPPER").functionName, "myupper")

        self.assertRaisesHms(hms.AlreadyExistsException, self.c.create_function,
                             self.function("myupper"))
        self.assertRaisesHms(hms.AlreadyExistsException, self.c.create_function,
                             self.function("MYUPPER"))

        new = self.function("myupper2", cls="com.example.Upper2")
        new.ownerType = hms.PrincipalType.ROLE
        self.c.alter_function(DB, "MyUpper", new)
        f = self.c.get_function(DB, "myupper2")
        self.assertEqual((f.className, f.ownerType), ("com.example.Upper2", hms.PrincipalType.ROLE))
        self.assertRaisesHms(hms.NoSuchObjectException, self.c.get_function, DB, "myupper")

        self.c.drop_function(DB, "MYUPPER2")
        self.assertRaisesHms(hms.NoSuchObjectException, self.c.get_function, DB, "myupper2")
        self.assertRaisesHms(hms.NoSuchObjectException, self.c.drop_function, DB, "myupper2")

    def test_function_without_resource_uris(self):
        # Hive returns an empty list for a function created without resource URIs
        # (TestFunctions.testCreateFunctionDefaultValues); Spark iterates it.
        self.c.create_function(self.function("nouris"))
        self.assertEqual(self.c.get_function(DB, "nouris").resourceUris, [])
        self.c.create_function(self.function("emptyuris", uris=[]))
        self.assertEqual(self.c.get_function(DB, "emptyuris").resourceUris, [])

    def test_function_errors(self):
        self.c.create_database(hms.Database(name="fdb2"))
        self.c.create_function(self.function("exists1"))
        self.c.create_function(self.function("exists2"))
        NoSuch = hms.NoSuchObjectException
        e = self.assertRaisesHms(NoSuch, self.c.get_function, DB, "nosuchfn")
        self.assertIn("nosuchfn does not exist", e.message)
        self.assertRaisesHms(NoSuch, self.c.get_function, "nosuchdb", "exists1")
        self.assertRaisesHms(NoSuch, self.c.get_function, "fdb2", "exists1")
        self.assertRaisesHms(NoSuch, self.c.create_function, self.function("f", db="nosuchdb"))
        self.assertRaisesHms(hms.InvalidObjectException, self.c.create_function,
                             self.function("bad;name"))
        self.assertRaisesHms(hms.InvalidObjectException, self.c.create_function,
                             self.function("noclass", cls=None))
        self.assertRaisesHms(NoSuch, self.c.drop_function, DB, "nosuchfn")
        self.assertRaisesHms(NoSuch, self.c.drop_function, "nosuchdb", "exists1")
        # alter_function declares InvalidOperation and Meta; Hive answers a missing function
        # and a clash with an existing one with MetaException.
        self.assertRaisesHms(hms.MetaException, self.c.alter_function, DB, "nosuchfn",
                             self.function("whatever"))
        self.assertRaisesHms(hms.MetaException, self.c.alter_function, DB, "exists1",
                             self.function("exists2"))
        self.assertEqual(self.c.get_function(DB, "exists1").functionName, "exists1")

    def test_get_functions_and_get_all(self):
        self.c.create_database(hms.Database(name="fdb3"))
        for name in ("test_function_to_find_1", "test_function_to_find_2",
                     "test_function_hidden_1"):
            self.c.create_function(self.function(name, db="fdb3"))
        self.c.create_database(hms.Database(name="fdb4"))
        self.c.create_function(self.function("test_function_to_find_1", db="fdb4"))

        def names(db, pattern):
            return sorted(self.c.get_functions(db, pattern))
        self.assertEqual(names("fdb3", "*_to_find_*"),
                         ["test_function_to_find_1", "test_function_to_find_2"])
        self.assertEqual(names("fdb3", "*_to_find_*|*_hidden_*"),
                         ["test_function_hidden_1", "test_function_to_find_1",
                          "test_function_to_find_2"])
        self.assertEqual(names("FDB3", "*_tO_FiND*"),
                         ["test_function_to_find_1", "test_function_to_find_2"])
        self.assertEqual(names("fdb3", "*"), names("fdb3", "test*"))
        self.assertEqual(len(names("fdb3", "*")), 3)
        self.assertEqual(names("fdb4", "*_to_find_*"), ["test_function_to_find_1"])
        self.assertEqual(names("fdb3", "*_no_such_*"), [])
        self.assertEqual(names("nosuchdb", "*"), [])

        everything = self.c.get_all_functions().functions
        pairs = {(f.dbName, f.functionName) for f in everything}
        self.assertTrue({("fdb3", "test_function_to_find_1"), ("fdb3", "test_function_to_find_2"),
                         ("fdb3", "test_function_hidden_1"),
                         ("fdb4", "test_function_to_find_1")} <= pairs)
        for f in everything:
            if f.dbName in ("fdb3", "fdb4"):
                self.assertEqual(f.className, "com.example.Upper")


class ConstraintsTest(StatsTestCase):
    def test_constraint_getters_return_empty_lists(self):
        self.new_table("ct")
        self.assertEqual(self.c.get_primary_keys(hms.PrimaryKeysRequest(
            db_name=DB, tbl_name="ct")).primaryKeys, [])
        self.assertEqual(self.c.get_foreign_keys(hms.ForeignKeysRequest(
            parent_db_name=DB, parent_tbl_name="ct", foreign_db_name=DB,
            foreign_tbl_name="ct")).foreignKeys, [])
        self.assertEqual(self.c.get_unique_constraints(hms.UniqueConstraintsRequest(
            catName="hive", db_name=DB, tbl_name="ct")).uniqueConstraints, [])
        self.assertEqual(self.c.get_not_null_constraints(hms.NotNullConstraintsRequest(
            catName="hive", db_name=DB, tbl_name="ct")).notNullConstraints, [])
        self.assertEqual(self.c.get_default_constraints(hms.DefaultConstraintsRequest(
            catName="hive", db_name=DB, tbl_name="ct")).defaultConstraints, [])
        self.assertEqual(self.c.get_check_constraints(hms.CheckConstraintsRequest(
            catName="hive", db_name=DB, tbl_name="ct")).checkConstraints, [])
        all_c = self.c.get_all_table_constraints(hms.AllTableConstraintsRequest(
            dbName=DB, tblName="ct", catName="hive")).allTableConstraints
        self.assertEqual(all_c, hms.SQLAllTableConstraints(
            primaryKeys=[], foreignKeys=[], uniqueConstraints=[], notNullConstraints=[],
            defaultConstraints=[], checkConstraints=[]))


if __name__ == "__main__":
    main()
