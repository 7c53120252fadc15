package dev.minigradient.launcher;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The layout of a Kafka cluster on this machine, one KRaft node (broker and controller in one
 * process) per node id 1..n, all on 127.0.0.1: node {@code i} serves clients on {@code firstPort +
 * i - 1} and its controller on {@code firstPort + 100 + i - 1}. With three nodes every topic has
 * three replicas and a write needs two in sync, so one node can stop without loss.
 *
 * @param nodes the number of nodes, 1 or 3
 * @param firstPort node 1's client port
 */
public record LocalCluster(int nodes, int firstPort) {
  /** The offset of a node's controller port from its client port. */
  public static final int CONTROLLER_PORT_OFFSET = 100;

  /** Validates the layout. */
  public LocalCluster {
    if (nodes != 1 && nodes != 3) {
      throw new IllegalArgumentException("--brokers must be 1 or 3, got " + nodes);
    }
    if (firstPort < 1024 || firstPort + CONTROLLER_PORT_OFFSET + nodes - 1 > 65535) {
      throw new IllegalArgumentException(
          "--kafka-port must be 1024.."
              + (65535 - CONTROLLER_PORT_OFFSET - nodes + 1)
              + ", got "
              + firstPort);
    }
  }

  /**
   * Checks a node id against the cluster.
   *
   * @param nodeId the id
   * @throws IllegalArgumentException if it is not 1..nodes
   */
  public void check(int nodeId) {
    if (nodeId < 1 || nodeId > nodes) {
      throw new IllegalArgumentException(
          "--node-id must be 1.." + nodes + " in a cluster of " + nodes + ", got " + nodeId);
    }
  }

  /**
   * The port a node serves clients on.
   *
   * @param nodeId 1..nodes
   * @return the port
   */
  public int clientPort(int nodeId) {
    check(nodeId);
    return firstPort + nodeId - 1;
  }

  /**
   * The port a node's controller listens on.
   *
   * @param nodeId 1..nodes
   * @return the port
   */
  public int controllerPort(int nodeId) {
    return clientPort(nodeId) + CONTROLLER_PORT_OFFSET;
  }

  /**
   * Every port the cluster listens on, clients' and controllers'.
   *
   * @return the ports
   */
  public List<Integer> ports() {
    List<Integer> ports = new ArrayList<>();
    for (int i = 1; i <= nodes; i++) {
      ports.add(clientPort(i));
      ports.add(controllerPort(i));
    }
    return ports;
  }

  /**
   * Whether nothing listens on a port of 127.0.0.1 now (another process could take it after).
   *
   * @param port the port
   * @return true if this process could bind it
   */
  public static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The bootstrap servers to give clients: every node.
   *
   * @return {@code 127.0.0.1:PORT[,...]}
   */
  public String bootstrapServers() {
    return IntStream.rangeClosed(1, nodes)
        .mapToObj(i -> "127.0.0.1:" + clientPort(i))
        .collect(Collectors.joining(","));
  }

  /**
   * The controller quorum, every node a voter.
   *
   * @return {@code controller.quorum.voters}: {@code 1@127.0.0.1:PORT[,...]}
   */
  public String quorumVoters() {
    return IntStream.rangeClosed(1, nodes)
        .mapToObj(i -> i + "@127.0.0.1:" + controllerPort(i))
        .collect(Collectors.joining(","));
  }

  /**
   * A node's server settings: combined broker and controller, plaintext listeners on 127.0.0.1,
   * replication and in-sync minimums for the cluster's size (what exactly-once needs on one node),
   * topics only created on purpose.
   *
   * @param nodeId 1..nodes
   * @param dataDir its log folder (topics and the metadata log)
   * @return the settings, as {@code server.properties} holds them
   */
  public Properties serverProperties(int nodeId, Path dataDir) {
    String replicas = Integer.toString(nodes);
    String minInSync = nodes >= 3 ? "2" : "1";
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", Integer.toString(nodeId));
    p.setProperty("controller.quorum.voters", quorumVoters());
    p.setProperty(
        "listeners",
        "PLAINTEXT://127.0.0.1:"
            + clientPort(nodeId)
            + ",CONTROLLER://127.0.0.1:"
            + controllerPort(nodeId));
    p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPort(nodeId));
    p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("log.dirs", dataDir.toAbsolutePath().toString());
    p.setProperty("default.replication.factor", replicas);
    p.setProperty("min.insync.replicas", minInSync);
    p.setProperty("offsets.topic.replication.factor", replicas);
    p.setProperty("transaction.state.log.replication.factor", replicas);
    p.setProperty("transaction.state.log.min.isr", minInSync);
    p.setProperty("share.coordinator.state.topic.replication.factor", replicas);
    p.setProperty("share.coordinator.state.topic.min.isr", minInSync);
    // a node killed and started again registers anew once its old session has expired: a shorter
    // session (heartbeats every second) brings it back in seconds, and fences a dead node as soon
    p.setProperty("broker.heartbeat.interval.ms", "1000");
    p.setProperty("broker.session.timeout.ms", "4000");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    p.setProperty("auto.create.topics.enable", "false");
    return p;
  }
}
