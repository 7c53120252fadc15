package dev.minigradient.worker;

import dev.minigradient.protocol.Topics;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The settings of every Kafka client a peer makes, over its {@link WorkerConfig#kafka() Kafka
 * settings}, in one place. Client ids are {@code peer-<id>-<role>}.
 */
final class ClientSettings {
  /** See {@link PeerWorker#LINGER_MS}. */
  static final int LINGER_MS = 0;

  private ClientSettings() {}

  /**
   * The task consumer's: the peer's own group, {@code peer-<id>}, committed by hand.
   *
   * @param config the peer's settings (its id, and its instance id as a static member if set)
   * @return the settings
   */
  static Map<String, Object> tasks(WorkerConfig config) {
    Map<String, Object> s = new HashMap<>();
    if (config.instanceId() != null) {
      s.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.instanceId());
    }
    s.put(ConsumerConfig.GROUP_ID_CONFIG, Topics.PEER_GROUP_PREFIX + config.peerId());
    s.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId(config.peerId(), "tasks"));
    // a new peer answers tasks from now on: older ones are decided or stale
    s.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    s.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // bounded polls: 100 tasks of at most a few ms each (images over the pixel limit are
    // refused before decoding), far inside the poll interval
    s.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "100");
    // a peer stuck for a minute leaves the group, so its partitions move on
    s.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "60000");
    // a killed instance's partitions go to a restarted or second instance after 10 s of
    // silence, not the default 45 s (the broker's floor is 6 s)
    s.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
    s.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "3000");
    return s;
  }

  /**
   * The producer's, for votes, dead letters and heartbeats: idempotent, acknowledged by all in-sync
   * replicas.
   *
   * @param peerId the peer
   * @return the settings
   */
  static Map<String, Object> producer(String peerId) {
    return Map.of(
        ProducerConfig.CLIENT_ID_CONFIG,
        clientId(peerId, "votes"),
        ProducerConfig.ACKS_CONFIG,
        "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
        "true",
        ProducerConfig.LINGER_MS_CONFIG,
        Integer.toString(LINGER_MS));
  }

  /**
   * A consumer's outside any group that reads committed records only: the network watcher's, a
   * copycat's.
   *
   * @param peerId the peer
   * @param role names the client
   * @return the settings
   */
  static Map<String, Object> observer(String peerId, String role) {
    return Map.of(
        ConsumerConfig.CLIENT_ID_CONFIG, clientId(peerId, role),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
  }

  /**
   * The task reader's ({@link TaskReader}): outside any group, one record a poll.
   *
   * @param peerId the peer
   * @return the settings
   */
  static Map<String, Object> taskReader(String peerId) {
    return Map.of(
        ConsumerConfig.CLIENT_ID_CONFIG, clientId(peerId, "task-reader"),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
  }

  private static String clientId(String peerId, String role) {
    return "peer-" + peerId + "-" + role;
  }
}
