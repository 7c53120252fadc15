package dev.minigradient.worker;

import static org.awaitility.Awaitility.await;

import dev.minigradient.model.InferenceEngine;
import dev.minigradient.model.Preprocessing;
import dev.minigradient.model.ServedModel;
import dev.minigradient.protocol.DeadLetters;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.KeyKind;
import dev.minigradient.protocol.NetworkKey;
import dev.minigradient.protocol.Roster;
import dev.minigradient.protocol.Sealing;
import dev.minigradient.protocol.Topics;
import dev.minigradient.protocol.Vote;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A {@link PeerWorker} on mock Kafka clients: the consensus app's sealing key and some rosters on
 * its network consumer (which also follows the seat replacements, from offset 0), a consumer that
 * reads tasks by position, partition 0 of the tasks topic assigned at its first poll, every record
 * it sends kept by a {@link MockProducer}. Serves one fake model whose inputs go through the real
 * MNIST preprocessing, counting how many inputs it decoded.
 */
final class MockPeer implements AutoCloseable {
  static final String MODEL = "c".repeat(64);
  static final TopicPartition TASKS = new TopicPartition(Topics.TASKS.name(), 0);
  static final TopicPartition KEYS = new TopicPartition(Topics.NETWORK_KEYS.name(), 0);
  static final TopicPartition ROSTERS = new TopicPartition(Topics.ROSTERS.name(), 0);
  static final TopicPartition VOTES = new TopicPartition(Topics.VOTES.name(), 0);
  static final TopicPartition REPLACEMENTS = new TopicPartition(Topics.REPLACEMENTS.name(), 0);

  final TestConsumer tasks = new TestConsumer("latest");
  final TestConsumer network = new TestConsumer("earliest");
  final TestConsumer copier = new TestConsumer("latest");

  /** The consumer that reads a task by position when the peer is appointed to a seat. */
  final TestConsumer reader = new TestConsumer("none");

  final MockProducer<String, byte[]> producer =
      new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());

  /** Inputs the peer's preprocessing was handed. */
  final AtomicInteger decoded = new AtomicInteger();

  final PeerWorker worker;
  private final Sealing.Opener opener;

  /** The consensus app's sealing key as published: offset 0 of the keys topic. */
  static ConsumerRecord<String, byte[]> keyRecord(PublicKey sealKey) {
    NetworkKey key =
        new NetworkKey(
            NetworkKey.SCHEMA_VERSION, NetworkKey.CONSENSUS_SEAL, KeyKind.encode(sealKey), 1L);
    return TestConsumer.record(
        KEYS,
        0,
        1,
        key.name(),
        Topics.NETWORK_KEYS.valueSerde().serializer().serialize(KEYS.topic(), key));
  }

  /** A roster as published at {@code offset} of the rosters topic, a second before it applies. */
  static ConsumerRecord<String, byte[]> rosterRecord(long offset, Roster r) {
    return TestConsumer.record(
        ROSTERS,
        offset,
        r.effectiveFrom() - 1_000,
        r.key(),
        Topics.ROSTERS.valueSerde().serializer().serialize(ROSTERS.topic(), r));
  }

  /**
   * Creates the peer, unstarted.
   *
   * @param peerId its id
   * @param behavior honest or an adversary
   * @param seal the consensus app's sealing key pair, announced on the network consumer
   * @param rosters the rosters on the network consumer, all recent
   */
  MockPeer(String peerId, Behavior behavior, KeyPair seal, List<Roster> rosters) {
    opener = Sealing.opener(seal.getPrivate());
    network.topics(Topics.NETWORK_KEYS.name(), Topics.ROSTERS.name(), Topics.REPLACEMENTS.name());
    network.updateBeginningOffsets(Map.of(KEYS, 0L, ROSTERS, 0L, REPLACEMENTS, 0L));
    network.updateEndOffsets(Map.of(KEYS, 1L, ROSTERS, (long) rosters.size(), REPLACEMENTS, 0L));
    network.offsetsForTimes.put(ROSTERS, 0L);
    network.schedulePollTask(
        () -> {
          network.addRecord(keyRecord(seal.getPublic()));
          for (int i = 0; i < rosters.size(); i++) {
            network.addRecord(rosterRecord(i, rosters.get(i)));
          }
        });
    tasks.topics(Topics.TASKS.name());
    tasks.updateEndOffsets(Map.of(TASKS, 0L));
    tasks.schedulePollTask(() -> tasks.rebalance(List.of(TASKS)));
    copier.topics(Topics.VOTES.name(), Topics.CONSENSUS.name());
    copier.updateEndOffsets(Map.of(VOTES, 0L, new TopicPartition(Topics.CONSENSUS.name(), 0), 0L));

    Preprocessing mnist = Preprocessing.named("mnist-digit", WorkerConfig.DEFAULT_MAX_PIXELS);
    Preprocessing counted =
        input -> {
          decoded.incrementAndGet();
          return mnist.apply(input);
        };
    ServedModel served = new ServedModel("fake", new FakeEngine(), counted, List.of());
    WorkerConfig config = WorkerConfig.defaults(peerId, new KafkaSettings("mock:9092", Map.of()));
    worker =
        new PeerWorker(
            config,
            List.of(served),
            KeyKind.SIGNING.generate(),
            behavior,
            new PeerClients() {
              @Override
              public Consumer<String, byte[]> consumer(Map<String, Object> settings) {
                String clientId = (String) settings.get(ConsumerConfig.CLIENT_ID_CONFIG);
                if (clientId.endsWith("-task-reader")) {
                  return reader;
                }
                return clientId.endsWith("-tasks")
                    ? tasks
                    : clientId.endsWith("-network") ? network : copier;
              }

              @Override
              public Producer<String, byte[]> producer(Map<String, Object> settings) {
                return producer;
              }
            });
  }

  /** Starts the peer and waits until it reads tasks. */
  MockPeer start() {
    worker.start();
    await().atMost(Duration.ofSeconds(10)).until(worker::isAssigned);
    return this;
  }

  /** Delivers a task record on partition 0, appended by the broker at {@code appendTime}. */
  void deliver(long offset, long appendTime, String key, byte[] value) {
    tasks.addRecord(TestConsumer.record(TASKS, offset, appendTime, key, value));
  }

  /** The votes sent so far, opened. */
  List<Vote> votes() {
    return sent(Topics.VOTES.name()).stream()
        .map(
            r ->
                opener.open(
                    Topics.VOTES.valueSerde().deserializer().deserialize(r.topic(), r.value())))
        .toList();
  }

  /** The dead letters sent so far. */
  List<ProducerRecord<String, byte[]>> deadLetters() {
    return sent(Topics.DEAD_LETTERS.name());
  }

  /** The reason of a dead letter. */
  static String reason(ProducerRecord<String, byte[]> deadLetter) {
    return DeadLetters.header(deadLetter.headers(), DeadLetters.REASON);
  }

  /** The message of a dead letter. */
  static String message(ProducerRecord<String, byte[]> deadLetter) {
    return DeadLetters.header(deadLetter.headers(), DeadLetters.MESSAGE);
  }

  private List<ProducerRecord<String, byte[]>> sent(String topic) {
    return producer.history().stream().filter(r -> r.topic().equals(topic)).toList();
  }

  @Override
  public void close() {
    worker.close();
  }

  /** Ten classes, always the same confident answer. */
  static final class FakeEngine implements InferenceEngine {
    @Override
    public String modelId() {
      return MODEL;
    }

    @Override
    public int classCount() {
      return 10;
    }

    @Override
    public double[] probabilities(float[] input) {
      double[] p = new double[10];
      Arrays.fill(p, 0.01);
      p[3] = 0.91;
      return p;
    }

    @Override
    public void close() {}
  }
}
