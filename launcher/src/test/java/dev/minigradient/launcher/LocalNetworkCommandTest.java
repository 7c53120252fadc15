package dev.minigradient.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code local-network} and {@code broker} refuse bad arguments before starting anything (one line
 * on stderr, exit 2), and the cluster layout gives each node its ports and settings.
 */
class LocalNetworkCommandTest {
  @TempDir Path tmp;

  /** Runs the command line and checks it refused with one line naming the command and the fault. */
  private static void refused(String command, String fault, String... args) {
    CliRun run = CliRun.of(args);
    assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
    assertThat(run.err().strip()).startsWith(command + ": ").contains(fault).doesNotContain("\n");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void theLayoutGivesEachNodeItsPortsAndTheClusterItsQuorum() {
    // given three nodes from port 19092
    LocalCluster three = new LocalCluster(3, 19092);

    // then clients reach every node, every node is a voter, and each controller is 100 ports up
    assertThat(three.bootstrapServers())
        .isEqualTo("127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094");
    assertThat(three.quorumVoters())
        .isEqualTo("1@127.0.0.1:19192,2@127.0.0.1:19193,3@127.0.0.1:19194");
    assertThat(three.ports()).containsExactly(19092, 19192, 19093, 19193, 19094, 19194);
    Properties node2 = three.serverProperties(2, tmp.resolve("data"));
    assertThat(node2.getProperty("node.id")).isEqualTo("2");
    assertThat(node2.getProperty("listeners"))
        .isEqualTo("PLAINTEXT://127.0.0.1:19093,CONTROLLER://127.0.0.1:19193");
    assertThat(node2.getProperty("controller.quorum.voters")).isEqualTo(three.quorumVoters());
    assertThat(node2.getProperty("log.dirs")).isEqualTo(tmp.resolve("data").toString());
    // three replicas, two in sync: one node can stop without loss
    assertThat(node2.getProperty("default.replication.factor")).isEqualTo("3");
    assertThat(node2.getProperty("min.insync.replicas")).isEqualTo("2");
    assertThat(node2.getProperty("transaction.state.log.min.isr")).isEqualTo("2");

    // and one node replicates nothing and needs only itself in sync
    Properties single = new LocalCluster(1, 9092).serverProperties(1, tmp);
    assertThat(single.getProperty("offsets.topic.replication.factor")).isEqualTo("1");
    assertThat(single.getProperty("min.insync.replicas")).isEqualTo("1");
    assertThat(single.getProperty("controller.quorum.voters")).isEqualTo("1@127.0.0.1:9192");
  }

  @Test
  void aLayoutOutOfRangeIsRefused() {
    assertThatThrownBy(() -> new LocalCluster(2, 9092)).hasMessageContaining("1 or 3");
    assertThatThrownBy(() -> new LocalCluster(1, 80)).hasMessageContaining("--kafka-port");
    assertThatThrownBy(() -> new LocalCluster(3, 65450)).hasMessageContaining("--kafka-port");
    assertThatThrownBy(() -> new LocalCluster(3, 9092).clientPort(4))
        .hasMessageContaining("--node-id must be 1..3");
  }

  @Test
  void localNetworkRefusesBadArgumentsBeforeStartingAnything() throws Exception {
    String dir = tmp.resolve("net").toString();
    refused(
        "local-network", "--peers must be 1..64", "local-network", "--dir", dir, "--peers", "0");
    refused(
        "local-network", "--peers must be 1..64", "local-network", "--dir", dir, "--peers", "65");
    refused("local-network", "--brokers must be 1 or 3", "local-network", "--brokers", "2");
    refused("local-network", "--kafka-port", "local-network", "--kafka-port", "70000");
    refused("local-network", "--peers", "local-network", "--peers", "many");
    refused(
        "local-network",
        "run from the repository root",
        "local-network",
        "--models-dir",
        tmp.toString(),
        "--model",
        "no-such-model");
    refused(
        "local-network",
        "--limit must be >= 1",
        "local-network",
        "--models-dir",
        "../models",
        "--samples",
        "../models/mnist/samples",
        "--limit",
        "0");
    refused(
        "local-network",
        "samples not found",
        "local-network",
        "--models-dir",
        "../models",
        "--samples",
        tmp.resolve("none").toString(),
        "--limit",
        "5");
    // nothing was started: no run folder
    assertThat(Path.of(dir)).doesNotExist();
  }

  @Test
  void localNetworkRefusesAPortAnotherProcessHolds() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      refused(
          "local-network",
          "port " + port + " on 127.0.0.1 is taken: give another --port",
          "local-network",
          "--dir",
          tmp.resolve("net").toString(),
          "--models-dir",
          "../models",
          "--kafka-port",
          "20000",
          "--port",
          Integer.toString(port));
    }
  }

  @Test
  void localNetworkNeedsTheBinWrappers() {
    // the tests run in launcher/, which has no bin/
    refused(
        "local-network",
        "no bin/ wrappers at",
        "local-network",
        "--dir",
        tmp.resolve("net").toString(),
        "--models-dir",
        "../models",
        "--kafka-port",
        "20000",
        "--port",
        "0");
  }

  @Test
  void brokerRefusesBadArgumentsBeforeTouchingItsFolder() throws Exception {
    Path dir = tmp.resolve("node");
    refused("broker", "--dir", "broker");
    refused(
        "broker",
        "--node-id must be 1..3",
        "broker",
        "--dir",
        dir.toString(),
        "--brokers",
        "3",
        "--node-id",
        "4");
    refused(
        "broker", "--node-id must be 1..1", "broker", "--dir", dir.toString(), "--node-id", "0");
    refused(
        "broker", "--brokers must be 1 or 3", "broker", "--dir", dir.toString(), "--brokers", "5");
    refused(
        "broker",
        "--cluster-id must be 22 characters",
        "broker",
        "--dir",
        dir.toString(),
        "--cluster-id",
        "abc");
    // a node of three cannot make the cluster's id up: its peers would make up others
    refused(
        "broker",
        "--cluster-id is needed to format a node of 3",
        "broker",
        "--dir",
        dir.toString(),
        "--brokers",
        "3",
        "--node-id",
        "2");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      refused(
          "broker",
          "port " + port + " on 127.0.0.1 is taken: give another --kafka-port",
          "broker",
          "--dir",
          dir.toString(),
          "--kafka-port",
          Integer.toString(port));
    }
    assertThat(dir).doesNotExist();
  }

  @Test
  void aFormattedFolderRefusesAnotherClusterId() throws Exception {
    // given a node folder formatted for one cluster
    Path dir = tmp.resolve("node");
    Files.createDirectories(dir.resolve("data"));
    Files.writeString(
        dir.resolve("data").resolve(BrokerCommand.META_PROPERTIES),
        "cluster.id=MWduQ0u8TOec27T7KeWEqw\nnode.id=1\nversion=1\n");

    // then it says which cluster it holds, and a node of three needs no id to restart
    assertThat(BrokerCommand.formattedClusterId(dir.resolve("data")))
        .contains("MWduQ0u8TOec27T7KeWEqw");
    refused(
        "broker",
        "holds the data of cluster MWduQ0u8TOec27T7KeWEqw, not TpgyDsyORuyC4pQmMLnFpQ",
        "broker",
        "--dir",
        dir.toString(),
        "--cluster-id",
        "TpgyDsyORuyC4pQmMLnFpQ");
    assertThat(dir.resolve("server.properties")).doesNotExist();
  }
}
