package dev.minigradient.launcher;

import ch.qos.logback.classic.Level;
import dev.minigradient.protocol.cli.BaseCommand;
import dev.minigradient.protocol.cli.Shutdown;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code broker}: one Kafka node in KRaft mode (broker and controller in this process) of a cluster
 * of 1 or 3 on this machine ({@link LocalCluster}), with its data in a folder: formatted on the
 * first start, reused by every later one, so a node killed with SIGKILL comes back with its topics.
 */
@Command(
    name = "broker",
    description = {
      "Runs one Kafka node (KRaft: broker and controller in one process) of a cluster of 1 or 3 on 127.0.0.1 until interrupted.",
      "Its folder holds server.properties and data/, formatted with the cluster id on the first start and reused by every later one: a node killed with SIGKILL and started again comes back with its data.",
      "Prints one line when it serves clients."
    })
public final class BrokerCommand extends BaseCommand {
  /** The file in a node's data folder that Kafka's formatter writes, with the cluster id. */
  static final String META_PROPERTIES = "meta.properties";

  @Mixin LocalClusterOptions layout;

  @Option(
      names = "--node-id",
      defaultValue = "1",
      description = "This node's id, 1..--brokers (default: ${DEFAULT-VALUE}).")
  int nodeId;

  @Option(
      names = "--dir",
      required = true,
      description =
          "This node's folder: server.properties and data/ (topics and the metadata log), created and formatted if missing.")
  Path dir;

  @Option(
      names = "--cluster-id",
      description =
          "The cluster id (22 characters, base64 of 16 bytes) to format a new data folder with; every node of a cluster needs the same. Default: a new random one for a single node; required to format a node of 3. A formatted folder keeps its own and refuses another.")
  String clusterId;

  @Override
  protected int run(CommandLine cmd) throws Exception {
    LocalCluster cluster = layout.cluster(cmd);
    try {
      cluster.check(nodeId);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cmd, e.getMessage());
    }
    for (int port : List.of(cluster.clientPort(nodeId), cluster.controllerPort(nodeId))) {
      if (!LocalCluster.isFree(port)) {
        throw new CommandLine.ParameterException(
            cmd, "port " + port + " on 127.0.0.1 is taken: give another --kafka-port");
      }
    }
    Path data = dir.resolve("data");
    Optional<String> formatted = formattedClusterId(data);
    String id = chooseClusterId(cmd, cluster, formatted);
    Files.createDirectories(data);
    Path config = dir.resolve("server.properties");
    try (Writer w = Files.newBufferedWriter(config)) {
      cluster
          .serverProperties(nodeId, data)
          .store(w, "Kafka node " + nodeId + " of " + cluster.nodes() + ", written by broker");
    }
    quietKafkaLogs();
    if (formatted.isEmpty()) {
      format(config, id);
    }
    Properties props = new Properties();
    try (Reader r = Files.newBufferedReader(config)) {
      props.load(r);
    }
    KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    long t0 = System.currentTimeMillis();
    try {
      server.startup(); // returns once the broker is unfenced: it serves clients
    } catch (RuntimeException e) {
      server.shutdown();
      throw new IllegalStateException("node " + nodeId + " did not start: " + e.getMessage(), e);
    }
    cmd.getOut()
        .printf(
            "broker %d ready in %.1f s: 127.0.0.1:%d, cluster %s of %d node(s) at %s, data %s%n",
            nodeId,
            (System.currentTimeMillis() - t0) / 1000.0,
            cluster.clientPort(nodeId),
            id,
            cluster.nodes(),
            cluster.bootstrapServers(),
            data.toAbsolutePath());
    cmd.getOut().flush();
    Shutdown.closeOnShutdown(
        () -> {
          server.shutdown();
          server.awaitShutdown();
        });
    return 0;
  }

  /**
   * The cluster id to run with: the data folder's own once formatted, else the one given, else (a
   * single node) a new one.
   */
  private String chooseClusterId(
      CommandLine cmd, LocalCluster cluster, Optional<String> formatted) {
    if (clusterId != null) {
      try {
        Uuid.fromString(clusterId);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(
            cmd, "--cluster-id must be 22 characters of URL-safe base64 (16 bytes): " + clusterId);
      }
    }
    if (formatted.isPresent()) {
      if (clusterId != null && !clusterId.equals(formatted.get())) {
        throw new CommandLine.ParameterException(
            cmd,
            dir
                + " holds the data of cluster "
                + formatted.get()
                + ", not "
                + clusterId
                + ": give that id, or another --dir");
      }
      return formatted.get();
    }
    if (clusterId == null && cluster.nodes() > 1) {
      throw new CommandLine.ParameterException(
          cmd,
          "--cluster-id is needed to format a node of "
              + cluster.nodes()
              + " (every node the same, e.g. "
              + Uuid.randomUuid()
              + ")");
    }
    return clusterId != null ? clusterId : Uuid.randomUuid().toString();
  }

  /**
   * The cluster id a data folder was formatted with.
   *
   * @param data the node's data folder
   * @return the id, or empty if the folder is not formatted
   * @throws IOException if the folder's {@code meta.properties} cannot be read
   */
  static Optional<String> formattedClusterId(Path data) throws IOException {
    Path meta = data.resolve(META_PROPERTIES);
    if (!Files.exists(meta)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(meta)) {
      p.load(r);
    }
    return Optional.ofNullable(p.getProperty("cluster.id"));
  }

  /** Formats the node's data folder with Kafka's own storage tool, its chatter on stderr. */
  private void format(Path config, String id) {
    PrintStream err = System.err;
    int code =
        StorageTool.execute(
            new String[] {"format", "--cluster-id", id, "--config", config.toString()}, err);
    if (code != 0) {
      throw new IllegalStateException("formatting " + dir + " failed (" + code + ")");
    }
  }

  /** Kafka's own log lines at WARN and above: a node's log holds its problems, not its routine. */
  private static void quietKafkaLogs() {
    for (String name : new String[] {"kafka", "org.apache.kafka", "state.change.logger"}) {
      if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger l) {
        l.setLevel(Level.WARN);
      }
    }
  }
}
