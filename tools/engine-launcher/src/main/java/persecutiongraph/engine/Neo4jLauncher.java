package persecutiongraph.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;

/**
 * One Neo4j Community server for tests and CI: the embedded database management service with
 * its Bolt connector, configured from {@code HOME/neo4j.conf} (written by tools/engine).
 *
 * <p>The password of the {@code neo4j} user is read from {@code HOME/password} (never from the
 * command line, which other users can see) and set before this process says it is ready by
 * writing {@code HOME/ready}. It runs until it receives SIGTERM, then shuts the service down.
 */
public final class Neo4jLauncher {
  private static final long AVAILABLE_TIMEOUT_MS = 120_000;

  private Neo4jLauncher() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: Neo4jLauncher HOME");
      System.exit(2);
    }
    Path home = Path.of(args[0]).toAbsolutePath();
    String password = Files.readString(home.resolve("password")).strip();
    DatabaseManagementService service =
        new DatabaseManagementServiceBuilder(home).loadPropertiesFromFile(home.resolve("neo4j.conf")).build();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  service.shutdown();
                  stopped.countDown();
                }));
    setPassword(service, password);
    GraphDatabaseService neo4j = service.database("neo4j");
    if (!neo4j.isAvailable(AVAILABLE_TIMEOUT_MS)) {
      System.err.println("the neo4j database did not become available");
      System.exit(1);
    }
    Files.writeString(home.resolve("ready"), Long.toString(ProcessHandle.current().pid()));
    System.out.println("ready");
    stopped.await();
  }

  /**
   * The generated password, set before any client is told the server is there. In the moment
   * between the Bolt connector opening and this, the default account may only change its own
   * password (Neo4j requires it), and this overrides whatever was set.
   */
  private static void setPassword(DatabaseManagementService service, String password) {
    service
        .database("system")
        .executeTransactionally(
            "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));
  }
}
