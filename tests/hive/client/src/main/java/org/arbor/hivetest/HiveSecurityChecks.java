// Hive 4's HiveMetaStoreClient against an arbord that requires authentication,
// configured exactly as for Hive's own metastore.
//
// Usage:
//   HiveSecurityChecks kerberos THRIFT_URI SERVER_PRINCIPAL CLIENT_PRINCIPAL KEYTAB PROTECTION
//       hive.metastore.sasl.enabled=true, hive.metastore.kerberos.principal, a keytab
//       login through UserGroupInformation, hadoop.rpc.protection (authentication or
//       privacy, the SASL QOP)
//   HiveSecurityChecks plain THRIFT_URI USER PASSWORD JCEKS_PATH
//       metastore.client.auth.mode=PLAIN, metastore.client.plain.username, the password
//       from a Hadoop credential provider (a JCEKS file this program writes)
//   HiveSecurityChecks plain-ssl THRIFT_URI USER PASSWORD JCEKS_PATH TRUSTSTORE STOREPASS
//       the same over TLS: hive.metastore.use.SSL with a truststore as well (Hive 4
//       wraps its SASL transport around the SSL socket)
//   HiveSecurityChecks refused-kerberos|refused-plain ... (same arguments)
//       the connection must fail
// Prints "ok NAME" / "FAIL NAME: reason" and "all checks passed"; exits 1 on failure.
package org.arbor.hivetest;

import java.io.File;
import java.util.Collections;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hive.metastore.HiveMetaStoreClient;
import org.apache.hadoop.hive.metastore.api.Database;
import org.apache.hadoop.hive.metastore.conf.MetastoreConf;
import org.apache.hadoop.hive.metastore.conf.MetastoreConf.ConfVars;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.hadoop.security.alias.CredentialProvider;
import org.apache.hadoop.security.alias.CredentialProviderFactory;

public final class HiveSecurityChecks {
  private static int failures = 0;

  private static Configuration base(String uri) {
    Configuration conf = MetastoreConf.newMetastoreConf();
    MetastoreConf.setVar(conf, ConfVars.THRIFT_URIS, uri);
    MetastoreConf.setLongVar(conf, ConfVars.THRIFT_CONNECTION_RETRIES, 1);
    MetastoreConf.setTimeVar(conf, ConfVars.CLIENT_CONNECT_RETRY_DELAY, 0,
        java.util.concurrent.TimeUnit.SECONDS);
    return conf;
  }

  private static Configuration kerberos(String[] a) throws Exception {
    Configuration conf = base(a[1]);
    MetastoreConf.setBoolVar(conf, ConfVars.USE_THRIFT_SASL, true);
    MetastoreConf.setVar(conf, ConfVars.KERBEROS_PRINCIPAL, a[2]);
    conf.set("hadoop.security.authentication", "kerberos");
    conf.set("hadoop.rpc.protection", a[5]);
    UserGroupInformation.setConfiguration(conf);
    UserGroupInformation.loginUserFromKeytab(a[3], a[4]);
    return conf;
  }

  private static Configuration plain(String[] a) throws Exception {
    Configuration conf = base(a[1]);
    MetastoreConf.setVar(conf, ConfVars.METASTORE_CLIENT_AUTH_MODE, "PLAIN");
    MetastoreConf.setVar(conf, ConfVars.METASTORE_CLIENT_PLAIN_USERNAME, a[2]);
    new File(a[4]).delete();
    conf.set(CredentialProviderFactory.CREDENTIAL_PROVIDER_PATH, "jceks://file" + a[4]);
    CredentialProvider provider = CredentialProviderFactory.getProviders(conf).get(0);
    provider.createCredentialEntry(a[2], a[3].toCharArray());
    provider.flush();
    return conf;
  }

  private static Configuration plainSsl(String[] a) throws Exception {
    Configuration conf = plain(a);
    conf.set("hive.metastore.use.SSL", "true");
    conf.set("hive.metastore.truststore.path", a[5]);
    conf.set("hive.metastore.truststore.password", a[6]);
    return conf;
  }

  private static void check(String name, boolean ok, String detail) {
    if (ok) {
      System.out.println("ok " + name);
    } else {
      failures++;
      System.out.println("FAIL " + name + ": " + detail);
    }
  }

  private static void works(Configuration conf, String db) throws Exception {
    HiveMetaStoreClient client = new HiveMetaStoreClient(conf);
    try {
      List<String> dbs = client.getAllDatabases();
      check("connect and list databases", dbs.contains("default"), "databases " + dbs);
      Database d = new Database(db, "made by Hive's client", null, Collections.emptyMap());
      client.createDatabase(d);
      check("create a database", client.getDatabase(db).getName().equals(db), "not found");
      StringBuilder big = new StringBuilder();
      for (int i = 0; i < 20000; i++) big.append("0123456789");
      Database large = new Database(db + "_large", big.toString(), null, Collections.emptyMap());
      client.createDatabase(large);
      check("a 200 KB request and reply",
          client.getDatabase(db + "_large").getDescription().length() == big.length(), "length");
    } finally {
      client.close();
    }
  }

  private static void refused(Configuration conf) {
    try {
      HiveMetaStoreClient client = new HiveMetaStoreClient(conf);
      client.getAllDatabases();
      client.close();
      check("refused", false, "the connection was accepted");
    } catch (Exception e) {
      String text = String.valueOf(e.getMessage());
      check("refused", true, text);
      System.out.println("refusal: " + text.replaceAll("\\s+", " "));
    }
  }

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    switch (mode) {
      case "kerberos":
        works(kerberos(args), "hive_krb_" + args[5]);
        break;
      case "plain":
        works(plain(args), "hive_plain");
        break;
      case "plain-ssl":
        works(plainSsl(args), "hive_plain_ssl");
        break;
      case "refused-kerberos":
        refused(kerberos(args));
        break;
      case "refused-plain":
        refused(plain(args));
        break;
      default:
        throw new IllegalArgumentException(mode);
    }
    if (failures > 0) {
      System.exit(1);
    }
    System.out.println("all checks passed");
  }
}
