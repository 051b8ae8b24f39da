// Hive 4's HiveMetaStoreClient over TLS, configured as Hive documents metastore
// SSL for clients: hive.metastore.use.SSL, hive.metastore.truststore.path and
// hive.metastore.truststore.password (a JKS/PKCS12 truststore made with keytool).
//
// Usage: Hive4TlsChecks THRIFT_URI TRUSTSTORE PASSWORD WRONG_TRUSTSTORE
//   TRUSTSTORE        holds the CA that signed arbord's certificate
//   WRONG_TRUSTSTORE  holds an unrelated CA: the client must refuse the server
// Prints "ok NAME" or "FAIL NAME: reason" per check and exits 1 if any failed;
// tests/hive/test_hive4_client.py runs it against an arbord started with --tls-*.
package org.arbor.hivetest;

import java.util.Arrays;
import java.util.Collections;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hive.metastore.HiveMetaStoreClient;
import org.apache.hadoop.hive.metastore.api.Database;
import org.apache.hadoop.hive.metastore.api.FieldSchema;
import org.apache.hadoop.hive.metastore.api.SerDeInfo;
import org.apache.hadoop.hive.metastore.api.StorageDescriptor;
import org.apache.hadoop.hive.metastore.api.Table;
import org.apache.hadoop.hive.metastore.conf.MetastoreConf;
import org.apache.hadoop.hive.metastore.conf.MetastoreConf.ConfVars;

public final class Hive4TlsChecks {
  private static int failures = 0;

  static Configuration sslConf(String uri, String truststore, String password) {
    Configuration conf = MetastoreConf.newMetastoreConf();
    MetastoreConf.setVar(conf, ConfVars.THRIFT_URIS, uri);
    MetastoreConf.setLongVar(conf, ConfVars.THRIFT_CONNECTION_RETRIES, 1);
    // The property names of Hive's documentation (hive-site.xml).
    conf.set("hive.metastore.use.SSL", "true");
    conf.set("hive.metastore.truststore.path", truststore);
    conf.set("hive.metastore.truststore.password", password);
    return conf;
  }

  interface Check {
    void run() throws Exception;
  }

  static void check(String name, Check body) {
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

  public static void main(String[] args) throws Exception {
    String uri = args[0];
    check("calls over TLS", () -> {
      HiveMetaStoreClient client = new HiveMetaStoreClient(sslConf(uri, args[1], args[2]));
      try {
        Database db = new Database();
        db.setName("tls_hive");
        db.setParameters(Collections.emptyMap());
        client.createDatabase(db);
        StorageDescriptor sd = new StorageDescriptor();
        sd.setCols(Arrays.asList(new FieldSchema("id", "bigint", null),
                                 new FieldSchema("name", "string", null)));
        sd.setInputFormat("org.apache.hadoop.mapred.TextInputFormat");
        sd.setOutputFormat("org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat");
        SerDeInfo serde = new SerDeInfo();
        serde.setSerializationLib("org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe");
        sd.setSerdeInfo(serde);
        Table t = new Table();
        t.setDbName("tls_hive");
        t.setTableName("events");
        t.setSd(sd);
        t.setTableType("EXTERNAL_TABLE");
        t.setParameters(Collections.singletonMap("EXTERNAL", "TRUE"));
        t.setPartitionKeys(Collections.emptyList());
        client.createTable(t);
        expect(client.getAllDatabases().contains("tls_hive"), "database listed");
        expect(client.getTable("tls_hive", "events").getSd().getCols().size() == 2,
               "table read back");
        expect(client.getTables("tls_hive", "*").equals(Collections.singletonList("events")),
               "tables listed");
        client.dropDatabase("tls_hive", true, true, true);
        expect(!client.getAllDatabases().contains("tls_hive"), "database dropped");
      } finally {
        client.close();
      }
    });
    check("a server its truststore does not trust is refused", () -> {
      try {
        HiveMetaStoreClient client = new HiveMetaStoreClient(sslConf(uri, args[3], args[2]));
        try {
          client.getAllDatabases();
        } finally {
          client.close();
        }
        throw new AssertionError("connected to an untrusted server");
      } catch (org.apache.thrift.TException expected) {
        // Hive's SSL socket handshakes on its first call, which fails (a MetaException
        // from the constructor, or a TTransportException from the call).
      }
    });
    check("a plain-text client fails promptly instead of hanging", () -> {
      Configuration conf = MetastoreConf.newMetastoreConf();
      MetastoreConf.setVar(conf, ConfVars.THRIFT_URIS, uri);
      MetastoreConf.setLongVar(conf, ConfVars.THRIFT_CONNECTION_RETRIES, 1);
      long start = System.nanoTime();
      try {
        HiveMetaStoreClient client = new HiveMetaStoreClient(conf);
        try {
          client.getAllDatabases();
        } finally {
          client.close();
        }
        throw new AssertionError("a plain-text call succeeded on a TLS port");
      } catch (Exception expected) {
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        expect(seconds < 10, "failed after " + seconds + " s");
      }
    });
    System.out.println(failures == 0 ? "all checks passed" : failures + " checks failed");
    System.exit(failures == 0 ? 0 : 1);
  }
}
