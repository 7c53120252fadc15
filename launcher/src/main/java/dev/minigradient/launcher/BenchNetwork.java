package dev.minigradient.launcher;

import dev.minigradient.consensus.ConsensusConfig;
import dev.minigradient.consensus.ConsensusService;
import dev.minigradient.consensus.Referee;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.TopicAdmin;
import dev.minigradient.worker.PeerWorker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code bench} section's own network: a one-broker {@link EmbeddedKafka} with the network's
 * topics, a state folder for the consensus app, the peers the section starts and the consensus app
 * it runs. Closing it tears all of it down, clients first while the broker still answers.
 */
final class BenchNetwork implements AutoCloseable {
  private final EmbeddedKafka kafka;
  private final Path stateDir;
  private final KafkaSettings settings;
  private final List<PeerWorker> peers = new ArrayList<>();
  private ConsensusService consensus;

  private BenchNetwork(EmbeddedKafka kafka, Path stateDir) {
    this.kafka = kafka;
    this.stateDir = stateDir;
    this.settings = KafkaSettings.of(kafka.bootstrapServers(), Map.of());
  }

  /**
   * Creates a state folder, starts a broker and creates the network's topics on it.
   *
   * @param stateDirPrefix the temporary state folder's name prefix
   * @param partitions partitions per topic
   * @return the network, with no peer and no consensus app yet
   * @throws IOException if the state folder cannot be created
   * @throws IllegalStateException if the broker does not start or the topics are not created
   */
  static BenchNetwork start(String stateDirPrefix, int partitions) throws IOException {
    Path stateDir = Files.createTempDirectory(stateDirPrefix);
    BenchNetwork network = new BenchNetwork(EmbeddedKafka.start(1), stateDir);
    try {
      TopicAdmin.ensureTopics(
          network.settings, partitions, Optional.empty(), Duration.ofSeconds(30));
    } catch (RuntimeException e) {
      network.close();
      throw e;
    }
    return network;
  }

  /** The broker's client settings. */
  KafkaSettings settings() {
    return settings;
  }

  /** The consensus app's state folder, deleted on close. */
  Path stateDir() {
    return stateDir;
  }

  /** The peers to close with the network: the caller adds, starts, closes and removes them. */
  List<PeerWorker> peers() {
    return peers;
  }

  /** The running consensus app, or null. */
  ConsensusService consensus() {
    return consensus;
  }

  /**
   * Closes the running consensus app, if any, and starts a new one.
   *
   * @param config its configuration
   * @param referee its referee
   * @param sealing the key pair peers seal their votes to
   * @return the new app, started (not yet running: see {@link Bench#awaitReady})
   */
  ConsensusService startConsensus(ConsensusConfig config, Referee referee, KeyPair sealing) {
    stopConsensus();
    consensus = new ConsensusService(config, referee, sealing);
    consensus.start();
    return consensus;
  }

  /** Closes the running consensus app, if any. */
  void stopConsensus() {
    if (consensus != null) {
      consensus.close();
      consensus = null;
    }
  }

  /** Closes the peers, the consensus app and the broker, then deletes the state folder. */
  @Override
  public void close() {
    // clients first, while the broker still answers
    for (PeerWorker p : peers) {
      p.close();
    }
    stopConsensus();
    kafka.close();
    EmbeddedKafka.deleteTree(stateDir);
  }
}
