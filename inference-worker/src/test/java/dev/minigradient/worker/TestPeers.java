package dev.minigradient.worker;

import dev.minigradient.protocol.KafkaSettings;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/** Peers' shared parts for tests of one part at a time, on given mock clients. */
final class TestPeers {
  private TestPeers() {}

  /**
   * A peer with default settings that serves no model, whose clients are given ones.
   *
   * @param peerId the peer's id
   * @param maxTaskAgeMs tasks older than this are skipped, ms
   * @param state its state
   * @param consumer the consumer every role gets, or null for a part that makes none
   * @param producer its producer, or null for a part that sends nothing
   * @return the peer's shared parts
   */
  static PeerContext context(
      String peerId,
      long maxTaskAgeMs,
      PeerState state,
      Consumer<String, byte[]> consumer,
      Producer<String, byte[]> producer) {
    WorkerConfig config =
        new WorkerConfig(
            peerId,
            new KafkaSettings("mock:9092", Map.of()),
            WorkerConfig.DEFAULT_STAKE,
            WorkerConfig.DEFAULT_HEARTBEAT_MS,
            maxTaskAgeMs,
            WorkerConfig.DEFAULT_MAX_PIXELS);
    PeerClients clients =
        new PeerClients() {
          @Override
          public Consumer<String, byte[]> consumer(Map<String, Object> settings) {
            return consumer;
          }

          @Override
          public Producer<String, byte[]> producer(Map<String, Object> settings) {
            return producer;
          }
        };
    return new PeerContext(config, state, Map.of(), clients, producer);
  }
}
