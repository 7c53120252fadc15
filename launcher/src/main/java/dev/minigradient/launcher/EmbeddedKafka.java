package dev.minigradient.launcher;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Kafka cluster inside this JVM, in KRaft mode (no ZooKeeper): one combined controller and
 * broker by default, built with Kafka's own {@link KafkaClusterTestKit}. Its settings are the
 * single-broker ones exactly-once needs (transaction and offsets topics with replication 1).
 */
public final class EmbeddedKafka implements AutoCloseable {
  private final KafkaClusterTestKit cluster;
  private final Path baseDir;

  private EmbeddedKafka(KafkaClusterTestKit cluster, Path baseDir) {
    this.cluster = cluster;
    this.baseDir = baseDir;
  }

  /**
   * Formats storage in a temporary folder and starts the cluster, waiting until brokers are ready
   * (about 4 s).
   *
   * @param brokers number of brokers (one controller either way)
   * @return the running cluster
   * @throws IllegalStateException if it does not start
   */
  public static EmbeddedKafka start(int brokers) {
    Path baseDir = null;
    try {
      // Our own folder, deleted by close(): the kit's default one is deleted by a JVM shutdown
      // hook that would race with a clean shutdown of the broker.
      baseDir = Files.createTempDirectory("mini-gradient-kafka");
      KafkaClusterTestKit cluster =
          new KafkaClusterTestKit.Builder(
                  new TestKitNodes.Builder()
                      .setCombined(brokers == 1)
                      .setNumBrokerNodes(brokers)
                      .setNumControllerNodes(1)
                      .setBaseDirectory(baseDir)
                      .build())
              .setConfigProp(
                  "offsets.topic.replication.factor", Short.toString((short) Math.min(3, brokers)))
              .setConfigProp(
                  "transaction.state.log.replication.factor",
                  Short.toString((short) Math.min(3, brokers)))
              // with 3 brokers: a write needs 2 in-sync replicas, so one broker can stop without
              // loss
              .setConfigProp(
                  "transaction.state.log.min.isr", Integer.toString(brokers >= 3 ? 2 : 1))
              .setConfigProp("min.insync.replicas", Integer.toString(brokers >= 3 ? 2 : 1))
              .setConfigProp(
                  "default.replication.factor", Short.toString((short) Math.min(3, brokers)))
              .setConfigProp("group.initial.rebalance.delay.ms", "0")
              .setConfigProp("auto.create.topics.enable", "false")
              .setDeleteOnClose(false)
              .build();
      PrintStream stdout = System.out;
      System.setOut(
          new PrintStream(OutputStream.nullOutputStream())); // the formatter chats on stdout
      try {
        cluster.format();
      } finally {
        System.setOut(stdout);
      }
      cluster.startup();
      cluster.waitForReadyBrokers();
      return new EmbeddedKafka(cluster, baseDir);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting Kafka", e);
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot start the embedded Kafka cluster: " + e.getMessage(), e);
    }
  }

  /**
   * Stops one broker, as a machine that goes down (its data stays), for fault tests.
   *
   * @param index 0-based broker index
   */
  public void stopBroker(int index) {
    broker(index).shutdown();
    broker(index).awaitShutdown();
  }

  /**
   * Starts a broker stopped by {@link #stopBroker} again, with its data.
   *
   * @param index 0-based broker index
   */
  public void startBroker(int index) {
    broker(index).startup();
  }

  /**
   * Number of brokers.
   *
   * @return the count
   */
  public int brokers() {
    return cluster.brokers().size();
  }

  private kafka.server.BrokerServer broker(int index) {
    return cluster.brokers().values().stream()
        .skip(index)
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no broker " + index));
  }

  /**
   * The bootstrap servers to give clients.
   *
   * @return host:port list
   */
  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  /** Stops the brokers and deletes their data. */
  @Override
  public void close() {
    try {
      cluster.close();
    } catch (Exception e) {
      throw new IllegalStateException("error stopping Kafka: " + e.getMessage(), e);
    } finally {
      deleteTree(baseDir);
    }
  }

  /**
   * Deletes a folder tree, best effort (a temporary folder: what cannot be deleted stays).
   *
   * @param dir the folder
   */
  static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }
}
