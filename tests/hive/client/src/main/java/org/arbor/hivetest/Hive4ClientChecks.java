// Hive 4's own HiveMetaStoreClient against a running arbord.
//
// Usage: Hive4ClientChecks THRIFT_URI ADMIN_URL BRANCH
//   THRIFT_URI  thrift://127.0.0.1:PORT of an arbord with an empty catalog
//   ADMIN_URL   http://127.0.0.1:PORT of its admin API
//   BRANCH      a branch name not yet used; made from main by the db@branch check
// Runs every check in one JVM, prints "ok NAME" or "FAIL NAME: reason" per check,
// and exits 1 if any failed. tests/hive/test_hive4_client.py starts arbord, then
// runs this.
package org.arbor.hivetest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.apache.commons.lang3.tuple.Pair;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hive.metastore.HiveMetaStoreClient;
import org.apache.hadoop.hive.metastore.api.BooleanColumnStatsData;
import org.apache.hadoop.hive.metastore.api.ColumnStatistics;
import org.apache.hadoop.hive.metastore.api.ColumnStatisticsData;
import org.apache.hadoop.hive.metastore.api.ColumnStatisticsDesc;
import org.apache.hadoop.hive.metastore.api.ColumnStatisticsObj;
import org.apache.hadoop.hive.metastore.api.Database;
import org.apache.hadoop.hive.metastore.api.ExtendedTableInfo;
import org.apache.hadoop.hive.metastore.api.FieldSchema;
import org.apache.hadoop.hive.metastore.api.GetPartitionsByNamesRequest;
import org.apache.hadoop.hive.metastore.api.GetPartitionsFilterSpec;
import org.apache.hadoop.hive.metastore.api.GetPartitionsRequest;
import org.apache.hadoop.hive.metastore.api.GetPartitionsResponse;
import org.apache.hadoop.hive.metastore.api.GetProjectionsSpec;
import org.apache.hadoop.hive.metastore.api.LockComponent;
import org.apache.hadoop.hive.metastore.api.LockLevel;
import org.apache.hadoop.hive.metastore.api.LockRequest;
import org.apache.hadoop.hive.metastore.api.LockResponse;
import org.apache.hadoop.hive.metastore.api.LockState;
import org.apache.hadoop.hive.metastore.api.LockType;
import org.apache.hadoop.hive.metastore.api.LongColumnStatsData;
import org.apache.hadoop.hive.metastore.api.MetaException;
import org.apache.hadoop.hive.metastore.api.NoSuchObjectException;
import org.apache.hadoop.hive.metastore.api.Partition;
import org.apache.hadoop.hive.metastore.api.PartitionFilterMode;
import org.apache.hadoop.hive.metastore.api.PartitionSpec;
import org.apache.hadoop.hive.metastore.api.PartitionsByExprRequest;
import org.apache.hadoop.hive.metastore.api.SQLPrimaryKey;
import org.apache.hadoop.hive.metastore.api.SerDeInfo;
import org.apache.hadoop.hive.metastore.api.ShowLocksRequest;
import org.apache.hadoop.hive.metastore.api.ShowLocksResponse;
import org.apache.hadoop.hive.metastore.api.StorageDescriptor;
import org.apache.hadoop.hive.metastore.api.Table;
import org.apache.hadoop.hive.metastore.api.DataOperationType;
import org.apache.hadoop.hive.metastore.conf.MetastoreConf;
import org.apache.hadoop.hive.metastore.conf.MetastoreConf.ConfVars;

public final class Hive4ClientChecks {
  private static final String DB = "h4";
  private static final String TABLE = "events";

  interface Check {
    void run() throws Exception;
  }

  private final HiveMetaStoreClient client;
  private final String adminUrl;
  private final String branch;
  private int failures = 0;

  private Hive4ClientChecks(HiveMetaStoreClient client, String adminUrl, String branch) {
    this.client = client;
    this.adminUrl = adminUrl;
    this.branch = branch;
  }

  public static void main(String[] args) throws Exception {
    Configuration conf = MetastoreConf.newMetastoreConf();
    MetastoreConf.setVar(conf, ConfVars.THRIFT_URIS, args[0]);
    MetastoreConf.setLongVar(conf, ConfVars.THRIFT_CONNECTION_RETRIES, 1);
    HiveMetaStoreClient client = new HiveMetaStoreClient(conf);
    Hive4ClientChecks checks = new Hive4ClientChecks(client, args[1], args[2]);
    try {
      checks.runAll();
    } finally {
      client.close();
    }
    System.out.println(checks.failures == 0 ? "all checks passed" : checks.failures + " checks failed");
    System.exit(checks.failures == 0 ? 0 : 1);
  }

  private void check(String name, Check body) {
    try {
      body.run();
      System.out.println("ok " + name);
    } catch (Throwable t) {
      failures++;
      System.out.println("FAIL " + name + ": " + t);
      t.printStackTrace(System.out);
    }
  }

  static void expect(boolean condition, String what) {
    if (!condition) throw new AssertionError(what);
  }

  static void expectEquals(Object expected, Object actual, String what) {
    if (!Objects.equals(expected, actual)) {
      throw new AssertionError(what + ": expected <" + expected + "> but was <" + actual + ">");
    }
  }

  interface Thrower {
    void run() throws Exception;
  }

  static <T extends Throwable> T expectThrows(Class<T> type, Thrower body, String what) {
    try {
      body.run();
    } catch (Throwable t) {
      if (type.isInstance(t)) return type.cast(t);
      throw new AssertionError(what + ": expected " + type.getSimpleName() + " but got " + t, t);
    }
    throw new AssertionError(what + ": expected " + type.getSimpleName() + ", nothing thrown");
  }

  static Table newTable(String db, String name, boolean partitioned) {
    StorageDescriptor sd = new StorageDescriptor();
    sd.setCols(new ArrayList<>(Arrays.asList(new FieldSchema("id", "bigint", "row id"),
        new FieldSchema("name", "string", null), new FieldSchema("ok", "boolean", null))));
    sd.setInputFormat("org.apache.hadoop.mapred.TextInputFormat");
    sd.setOutputFormat("org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat");
    SerDeInfo serde = new SerDeInfo();
    serde.setSerializationLib("org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe");
    serde.setParameters(new HashMap<>());
    sd.setSerdeInfo(serde);
    Table t = new Table();
    t.setDbName(db);
    t.setTableName(name);
    t.setOwner("hive4");
    t.setTableType("EXTERNAL_TABLE");
    t.setParameters(new HashMap<>(Map.of("EXTERNAL", "TRUE")));
    t.setSd(sd);
    t.setPartitionKeys(partitioned
        ? new ArrayList<>(List.of(new FieldSchema("ds", "string", null)))
        : new ArrayList<>());
    return t;
  }

  Partition newPartition(Table table, String ds) {
    Partition p = new Partition();
    p.setDbName(table.getDbName());
    p.setTableName(table.getTableName());
    p.setValues(new ArrayList<>(List.of(ds)));
    StorageDescriptor sd = new StorageDescriptor(table.getSd());
    sd.setLocation(table.getSd().getLocation() + "/ds=" + ds);
    p.setSd(sd);
    p.setParameters(new HashMap<>());
    return p;
  }

  static List<String> names(List<Partition> parts) {
    List<String> out = new ArrayList<>();
    for (Partition p : parts) out.add(String.join(",", p.getValues()));
    Collections.sort(out);
    return out;
  }

  static ColumnStatistics tableStats(String db, String table, String partName, String engine,
                                     long maxId) {
    ColumnStatisticsDesc desc = new ColumnStatisticsDesc(partName == null, db, table);
    if (partName != null) desc.setPartName(partName);
    LongColumnStatsData id = new LongColumnStatsData(0, 10);
    id.setLowValue(1);
    id.setHighValue(maxId);
    BooleanColumnStatsData ok = new BooleanColumnStatsData(7, 3, 0);
    List<ColumnStatisticsObj> objs = new ArrayList<>();
    objs.add(new ColumnStatisticsObj("id", "bigint", ColumnStatisticsData.longStats(id)));
    objs.add(new ColumnStatisticsObj("ok", "boolean", ColumnStatisticsData.booleanStats(ok)));
    ColumnStatistics stats = new ColumnStatistics(desc, objs);
    stats.setEngine(engine);
    return stats;
  }

  private void runAll() throws Exception {
    check("databases", () -> {
      Database db = new Database(DB, "Hive 4 client checks", null, new HashMap<>());
      client.createDatabase(db);
      Database back = client.getDatabase(DB);
      expectEquals(DB, back.getName(), "database name");
      expectEquals("Hive 4 client checks", back.getDescription(), "description");
      expect(back.getLocationUri() != null && !back.getLocationUri().isEmpty(), "default location");
      expect(client.getAllDatabases().contains(DB), "getAllDatabases lists it");
      expectEquals(List.of(DB), client.getDatabases("h4*"), "getDatabases pattern");
      expectThrows(NoSuchObjectException.class, () -> client.getDatabase("h4_missing"),
          "missing database");
    });

    Table[] created = new Table[1];
    check("tables", () -> {
      client.createTable(newTable(DB, TABLE, true));
      client.createTable(newTable(DB, "plain", false));
      Table t = client.getTable(DB, TABLE);
      created[0] = t;
      expectEquals(TABLE, t.getTableName(), "table name");
      expectEquals(DB, t.getDbName(), "db name");
      expectEquals("hive", t.getCatName(), "catalog");
      expectEquals(List.of("ds"), List.of(t.getPartitionKeys().get(0).getName()), "partition keys");
      expectEquals(List.of("events", "plain"), sorted(client.getAllTables(DB)), "getAllTables");
      expectEquals(List.of("events"), client.getTables(DB, "ev*"), "getTables pattern");
      List<Table> objects = client.getTableObjectsByName(DB, List.of("plain", "events", "nope"));
      List<String> got = new ArrayList<>();
      for (Table o : objects) got.add(o.getTableName());
      expectEquals(List.of("events", "plain"), sorted(got), "getTableObjectsByName");
      expectThrows(NoSuchObjectException.class, () -> client.getTable(DB, "nope"), "missing table");
    });

    check("describe: get_fields_req and get_schema_req", () -> {
      List<FieldSchema> fields = client.getFields(DB, TABLE);
      expectEquals(List.of("id", "name", "ok"), fieldNames(fields), "getFields");
      expectEquals("row id", fields.get(0).getComment(), "column comment");
      expectEquals(List.of("id", "name", "ok", "ds"), fieldNames(client.getSchema(DB, TABLE)),
          "getSchema: columns then partition keys");
      expectThrows(Exception.class, () -> client.getFields(DB, "nope"), "getFields missing table");
    });

    check("get_tables_ext", () -> {
      List<ExtendedTableInfo> ext = client.getTablesExt("hive", DB, "*", 1, -1);
      List<String> got = new ArrayList<>();
      for (ExtendedTableInfo e : ext) got.add(e.getTblName());
      expectEquals(List.of("events", "plain"), sorted(got), "getTablesExt");
      expectEquals(1, client.getTablesExt("hive", DB, "*", 1, 1).size(), "getTablesExt limit");
    });

    check("create_table_with_constraints", () -> {
      Table t = newTable(DB, "keyed", false);
      SQLPrimaryKey pk = new SQLPrimaryKey(DB, "keyed", "id", 1, "pk_keyed", false, false, true);
      pk.setCatName("hive");
      client.createTableWithConstraints(t, List.of(pk), null, null, null, null, null);
      expectEquals("keyed", client.getTable(DB, "keyed").getTableName(), "created");
      client.dropTable(DB, "keyed");
    });

    check("partitions", () -> {
      Table t = created[0];
      List<Partition> parts = new ArrayList<>();
      for (String ds : List.of("2024-01-01", "2024-01-02", "2024-01-03", "2024-02-01")) {
        parts.add(newPartition(t, ds));
      }
      List<Partition> added = client.add_partitions(parts, false, true);
      expectEquals(4, added.size(), "add_partitions_req result");
      expectEquals(0, client.add_partitions(parts, true, true).size(),
          "ifNotExists: nothing new to add or return");
      expectEquals(List.of("ds=2024-01-01", "ds=2024-01-02", "ds=2024-01-03", "ds=2024-02-01"),
          sorted(client.listPartitionNames(DB, TABLE, (short) -1)), "listPartitionNames");
      expectEquals(List.of("2024-01-02", "2024-01-03"),
          names(client.listPartitionsByFilter(DB, TABLE,
              "ds > \"2024-01-01\" and ds < \"2024-02-01\"", (short) -1)),
          "listPartitionsByFilter");
      expectEquals(2, client.getNumPartitionsByFilter(DB, TABLE, "ds >= \"2024-01-03\""),
          "getNumPartitionsByFilter");
      expectEquals(List.of("2024-01-01", "2024-02-01"),
          names(client.getPartitionsByNames(DB, TABLE,
              List.of("ds=2024-02-01", "ds=2024-01-01", "ds=1999-01-01"))),
          "getPartitionsByNames skips unknown names");
      Partition one = client.getPartition(DB, TABLE, List.of("2024-01-02"));
      expect(one.getSd().getLocation().endsWith("/ds=2024-01-02"), "partition location");
      expectEquals(4, client.listPartitions(DB, TABLE, (short) -1).size(), "listPartitions");
      expectEquals(2, client.listPartitions(DB, TABLE, (short) 2).size(), "listPartitions max");
    });

    check("partition pruning by expression", () -> {
      // Hive's planner sends a Kryo-serialized expression. Arbor cannot evaluate
      // it: it answers every partition and says so (hasUnknownPartitions), and
      // Hive filters again on its side.
      List<Partition> out = new ArrayList<>();
      boolean unknown = client.listPartitionsByExpr(DB, TABLE, new byte[] {1, 2, 3},
          "__HIVE_DEFAULT_PARTITION__", (short) -1, out);
      expect(unknown, "hasUnknownPartitions");
      expectEquals(4, out.size(), "every partition");
      List<PartitionSpec> specs = new ArrayList<>();
      PartitionsByExprRequest req = new PartitionsByExprRequest(DB, TABLE,
          java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}));
      req.setCatName("hive");
      expect(client.listPartitionsSpecByExpr(req, specs), "spec form: hasUnknownPartitions");
      expectEquals(4, specs.get(0).getPartitionList().getPartitionsSize(), "spec form: every one");
      // get_partition_names_req: every name without an expression; an expression
      // is refused rather than answered wrongly.
      PartitionsByExprRequest names = new PartitionsByExprRequest(DB, TABLE,
          java.nio.ByteBuffer.wrap(new byte[0]));
      names.setCatName("hive");
      expectEquals(4, client.listPartitionNames(names).size(), "names, empty expression");
      MetaException e = expectThrows(MetaException.class,
          () -> client.listPartitionNames(new PartitionsByExprRequest(DB, TABLE,
              java.nio.ByteBuffer.wrap(new byte[] {1}))),
          "names by expression");
      expect(e.getMessage().contains("expression"), "message names the cause: " + e.getMessage());
    });

    check("get_partitions_with_specs", () -> {
      GetPartitionsRequest req = new GetPartitionsRequest(DB, TABLE, new GetProjectionsSpec(),
          new GetPartitionsFilterSpec());
      req.setCatName("hive");
      expectEquals(4, specPartitions(client.getPartitionsWithSpecs(req)).size(), "all");
      GetPartitionsFilterSpec byNames = new GetPartitionsFilterSpec();
      byNames.setFilterMode(PartitionFilterMode.BY_NAMES);
      byNames.setFilters(List.of("ds=2024-01-03"));
      req.setFilterSpec(byNames);
      expectEquals(List.of("2024-01-03"), names(specPartitions(client.getPartitionsWithSpecs(req))),
          "BY_NAMES");
      GetPartitionsFilterSpec byExpr = new GetPartitionsFilterSpec();
      byExpr.setFilterMode(PartitionFilterMode.BY_EXPR);
      byExpr.setFilters(List.of("ds >= \"2024-01-02\"", "ds < \"2024-02-01\""));
      req.setFilterSpec(byExpr);
      expectEquals(List.of("2024-01-02", "2024-01-03"),
          names(specPartitions(client.getPartitionsWithSpecs(req))), "BY_EXPR");
      req.setTblName("nope");
      expectThrows(MetaException.class, () -> client.getPartitionsWithSpecs(req), "missing table");
    });

    check("dropping partitions", () -> {
      expect(client.dropPartition(DB, TABLE, "ds=2024-02-01", false), "dropPartition by name");
      expectEquals(3, client.listPartitionNames(DB, TABLE, (short) -1).size(), "one fewer");
      // Hive 4's dropPartitions sends Kryo-serialized expressions, which Arbor
      // cannot evaluate: it answers a MetaException that says so, and drops nothing.
      MetaException e = expectThrows(MetaException.class,
          () -> client.dropPartitions(DB, TABLE,
              List.of(Pair.of(1, new byte[] {1, 2, 3})), true, false),
          "dropPartitions by expression");
      expect(e.getMessage().contains("expression"), "message names the cause: " + e.getMessage());
      expectEquals(3, client.listPartitionNames(DB, TABLE, (short) -1).size(), "nothing dropped");
    });

    check("column statistics with engine", () -> {
      expect(client.updateTableColumnStatistics(tableStats(DB, TABLE, null, "hive", 99)),
          "update table stats (hive)");
      List<ColumnStatisticsObj> hive =
          client.getTableColumnStatistics(DB, TABLE, List.of("id", "ok"), "hive");
      expectEquals(List.of("id", "ok"), statNames(hive), "both columns, engine hive");
      ColumnStatisticsObj id = hive.get(0).getColName().equals("id") ? hive.get(0) : hive.get(1);
      expectEquals(99L, id.getStatsData().getLongStats().getHighValue(), "hive engine's stats");
      expectEquals(7L, (hive.get(0) == id ? hive.get(1) : hive.get(0)).getStatsData()
          .getBooleanStats().getNumTrues(), "boolean stats");
      expectEquals(0, client.getTableColumnStatistics(DB, TABLE, List.of("id"), "impala").size(),
          "another engine does not read hive's stats");
      expect(client.updatePartitionColumnStatistics(
          tableStats(DB, TABLE, "ds=2024-01-01", "hive", 42)), "update partition stats");
      Map<String, List<ColumnStatisticsObj>> byPart = client.getPartitionColumnStatistics(
          DB, TABLE, List.of("ds=2024-01-01", "ds=2024-01-02"), List.of("id"), "hive");
      expectEquals(List.of("ds=2024-01-01"), new ArrayList<>(byPart.keySet()), "partitions with stats");
      expectEquals(42L, byPart.get("ds=2024-01-01").get(0).getStatsData().getLongStats()
          .getHighValue(), "partition stats");
      GetPartitionsByNamesRequest withStats = new GetPartitionsByNamesRequest(DB, TABLE);
      withStats.setNames(List.of("ds=2024-01-01"));
      withStats.setGet_col_stats(true);
      withStats.setEngine("hive");
      Partition statted = client.getPartitionsByNames(withStats).getPartitions().get(0);
      expectEquals(42L, statted.getColStats().getStatsObj().get(0).getStatsData().getLongStats()
          .getHighValue(), "getPartitionsByNames with column statistics");
      expect(client.deleteTableColumnStatistics(DB, TABLE, "id", "hive"), "delete hive stats");
      expectEquals(List.of("ok"), statNames(
          client.getTableColumnStatistics(DB, TABLE, List.of("id", "ok"), "hive")),
          "hive's id stats gone, ok's kept");
      // Arbor keeps one entry per column (docs/hms-compatibility.md): a write by
      // another engine replaces hive's, and is read back under its own engine only.
      expect(client.updateTableColumnStatistics(tableStats(DB, TABLE, null, "impala", 5)),
          "update table stats (impala)");
      List<ColumnStatisticsObj> impala =
          client.getTableColumnStatistics(DB, TABLE, List.of("id"), "impala");
      expectEquals(5L, impala.get(0).getStatsData().getLongStats().getHighValue(), "impala's");
    });

    check("catalog names", () -> {
      expectEquals(TABLE, client.getTable("hive", DB, TABLE).getTableName(), "getTable(hive, ...)");
      expectEquals(DB, client.getDatabase("hive", DB).getName(), "getDatabase(hive, ...)");
      expectEquals(List.of("id", "name", "ok"), fieldNames(client.getFields("hive", DB, TABLE)),
          "getFields(hive, ...)");
    });

    check("locks", () -> {
      LockComponent comp = new LockComponent(LockType.EXCLUSIVE, LockLevel.TABLE, DB);
      comp.setTablename(TABLE);
      comp.setOperationType(DataOperationType.NO_TXN);
      LockRequest req = new LockRequest(List.of(comp), "hive4", "localhost");
      LockResponse first = client.lock(req);
      expectEquals(LockState.ACQUIRED, first.getState(), "first lock");
      LockComponent shared = new LockComponent(LockType.SHARED_READ, LockLevel.TABLE, DB);
      shared.setTablename(TABLE);
      shared.setOperationType(DataOperationType.SELECT);
      LockResponse second = client.lock(new LockRequest(List.of(shared), "other", "localhost"));
      expectEquals(LockState.WAITING, second.getState(), "conflicting lock waits");
      ShowLocksRequest show = new ShowLocksRequest();
      show.setDbname(DB);
      show.setTablename(TABLE);
      ShowLocksResponse locks = client.showLocks(show);
      expectEquals(2, locks.getLocksSize(), "showLocks lists both");
      client.unlock(first.getLockid());
      expectEquals(LockState.ACQUIRED, client.checkLock(second.getLockid()).getState(),
          "waiter acquires after unlock");
      client.unlock(second.getLockid());
      expectEquals(0, client.showLocks(show).getLocksSize(), "no locks left");
    });

    check("db@branch names", () -> {
      createBranch(branch);
      String onBranch = DB + "@" + branch;
      client.createTable(newTable(onBranch, "branch_only", false));
      expectEquals("branch_only", client.getTable(onBranch, "branch_only").getTableName(),
          "table on the branch");
      expectThrows(NoSuchObjectException.class, () -> client.getTable(DB, "branch_only"),
          "main does not see the branch's table");
      expectEquals(List.of("branch_only", "events", "plain"), sorted(client.getAllTables(onBranch)),
          "branch lists main's tables too");
      List<FieldSchema> f = client.getFields(onBranch, "branch_only");
      expectEquals(3, f.size(), "getFields on the branch");
      Table t = client.getTable(onBranch, TABLE);
      client.add_partitions(new ArrayList<>(List.of(newPartition(t, "2030-01-01"))), false, false);
      expectEquals(4, client.listPartitionNames(onBranch, TABLE, (short) -1).size(),
          "partition added on the branch");
      expectEquals(3, client.listPartitionNames(DB, TABLE, (short) -1).size(), "main unchanged");
    });

    check("drop database cascade", () -> {
      client.dropDatabase(DB, true, true, true);
      expectThrows(NoSuchObjectException.class, () -> client.getDatabase(DB), "dropped");
    });
  }

  // Commits main's staged writes and branches from the commit, over arbord's
  // admin API.
  private void createBranch(String name) throws Exception {
    adminPost("/api/v1/branches/main/commits", "{\"message\": \"hive4 checks\"}");
    adminPost("/api/v1/branches", "{\"name\": \"" + name + "\", \"source\": \"main\"}");
  }

  private void adminPost(String path, String json) throws Exception {
    HttpRequest post = HttpRequest.newBuilder(URI.create(adminUrl + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json))
        .build();
    HttpResponse<String> r = HttpClient.newHttpClient().send(post, HttpResponse.BodyHandlers.ofString());
    expect(r.statusCode() / 100 == 2, "POST " + path + ": " + r.statusCode() + " " + r.body());
  }

  static List<PartitionSpec> specs(GetPartitionsResponse r) {
    return r.getPartitionSpec() == null ? List.of() : r.getPartitionSpec();
  }

  // Partitions of every spec, whether listed or sharing a storage descriptor.
  static List<Partition> specPartitions(GetPartitionsResponse r) {
    List<Partition> out = new ArrayList<>();
    for (PartitionSpec s : specs(r)) {
      if (s.isSetPartitionList()) out.addAll(s.getPartitionList().getPartitions());
      if (s.isSetSharedSDPartitionSpec()) {
        s.getSharedSDPartitionSpec().getPartitions().forEach(p -> {
          Partition q = new Partition();
          q.setValues(p.getValues());
          out.add(q);
        });
      }
    }
    return out;
  }

  static List<String> fieldNames(List<FieldSchema> fields) {
    List<String> out = new ArrayList<>();
    for (FieldSchema f : fields) out.add(f.getName());
    return out;
  }

  static List<String> statNames(List<ColumnStatisticsObj> objs) {
    List<String> out = new ArrayList<>();
    for (ColumnStatisticsObj o : objs) out.add(o.getColName());
    return sorted(out);
  }

  static List<String> sorted(List<String> in) {
    List<String> out = new ArrayList<>(in);
    Collections.sort(out);
    return out;
  }
}
