package org.arbor.hivetest;

import java.util.HashSet;
import java.util.Set;
import org.junit.runner.Description;
import org.junit.runner.JUnitCore;
import org.junit.runner.notification.Failure;
import org.junit.runner.notification.RunListener;

/**
 * Runs Hive's metastore client API test classes (named on the command line, simple
 * names in org.apache.hadoop.hive.metastore.client) with JUnit 4 and prints one line
 * per test, "PASS|FAIL|SKIP Class.method" (FAIL lines add the first line of the
 * failure), for tests/hive/test_hive_client_suite.py to compare between servers.
 * A failure outside any test (e.g. in @BeforeClass) is reported as Class.<class>;
 * "TIME Class seconds" follows each class.
 */
public final class ClientSuiteMain {
  private static final String PACKAGE = "org.apache.hadoop.hive.metastore.client.";

  private ClientSuiteMain() {}

  private static String name(Description d) {
    String cls = d.getClassName();
    cls = cls.startsWith(PACKAGE) ? cls.substring(PACKAGE.length()) : cls;
    String method = d.getMethodName();
    if (method == null) return cls + ".<class>";
    int bracket = method.indexOf('[');  // Parameterized's "[Cluster]"
    return cls + "." + (bracket >= 0 ? method.substring(0, bracket) : method);
  }

  /** The failure's first line and the test-class line that raised it. */
  private static String summary(Throwable t) {
    String text = String.valueOf(t);
    int nl = text.indexOf('\n');
    text = nl >= 0 ? text.substring(0, nl) : text;
    text = text.length() > 300 ? text.substring(0, 300) : text;
    for (StackTraceElement e : t.getStackTrace()) {
      if (e.getClassName().startsWith(PACKAGE + "Test")) {
        return text + " @ " + e.getFileName() + ":" + e.getLineNumber();
      }
    }
    return text;
  }

  public static void main(String[] args) throws Exception {
    JUnitCore core = new JUnitCore();
    Set<Description> reported = new HashSet<>();
    core.addListener(new RunListener() {
      @Override
      public void testFailure(Failure f) {
        reported.add(f.getDescription());
        System.out.println("FAIL " + name(f.getDescription()) + " :: " + summary(f.getException()));
      }

      @Override
      public void testAssumptionFailure(Failure f) {
        reported.add(f.getDescription());
        System.out.println("SKIP " + name(f.getDescription()));
      }

      @Override
      public void testIgnored(Description d) {
        reported.add(d);
        System.out.println("SKIP " + name(d));
      }

      @Override
      public void testFinished(Description d) {
        if (!reported.contains(d)) System.out.println("PASS " + name(d));
        System.out.flush();
      }
    });
    for (String simpleName : args) {
      long start = System.nanoTime();
      core.run(Class.forName(PACKAGE + simpleName));
      System.out.printf("TIME %s %.1f s%n", simpleName, (System.nanoTime() - start) / 1e9);
    }
  }
}
