package org.apache.hadoop.hive.metastore.client;

import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hive.metastore.conf.MetastoreConf;
import org.apache.hadoop.hive.metastore.minihms.AbstractMetaStoreService;
import org.apache.hadoop.hive.metastore.minihms.MiniHMS;

/**
 * Arbor's stand-in for the class of the same name in Hive's tests jar; it comes first
 * on the classpath. Hive's version returns an external ("Cluster") metastore when
 * -Dtest.hms.client.configs names client configuration files, but always adds an
 * embedded and an in-process Derby metastore too, which every test class then starts.
 * This one returns the external metastore alone, so each test runs once, against the
 * server under test, and no Derby is needed.
 */
public final class MetaStoreFactoryForTests {
  private MetaStoreFactoryForTests() {}

  public static List<Object[]> getMetaStores() throws Exception {
    String files = System.getProperty("test.hms.client.configs");
    if (files == null || files.isEmpty()) {
      throw new IllegalStateException("-Dtest.hms.client.configs=FILE.xml[,FILE.xml] is required");
    }
    Configuration conf = MetastoreConf.newMetastoreConf();
    for (String file : files.split(",")) {
      conf.addResource(new Path(file));
    }
    AbstractMetaStoreService service =
        new MiniHMS.Builder().setConf(conf).setType(MiniHMS.MiniHMSType.CLUSTER).build();
    List<Object[]> result = new ArrayList<>();
    result.add(new Object[] {"Cluster", service});
    return result;
  }
}
