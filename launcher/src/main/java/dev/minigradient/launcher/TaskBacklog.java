package dev.minigradient.launcher;

import dev.minigradient.producer.Submitter;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.KeyKind;
import dev.minigradient.protocol.NetworkKey;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.Topics;
import dev.minigradient.worker.PeerWorker;
import dev.minigradient.worker.WorkerConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A backlog of tasks published before the peers that drain it start: publishing it, pointing a
 * peer's consumer group at it, and timing a drain from the votes.
 */
final class TaskBacklog {
  private TaskBacklog() {}

  /**
   * Publishes {@code n} tasks on the sample images, after a sealing key (as the consensus app
   * would) when {@code withKey}.
   *
   * @param ctx the run (model and images)
   * @param settings the broker
   * @param n tasks
   * @param withKey whether to publish a consensus sealing key first
   */
  static void publish(BenchContext ctx, KafkaSettings settings, int n, boolean withKey) {
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            settings.properties(
                Map.of(
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.LINGER_MS_CONFIG, "5",
                    // a pre-fill, not the protocol: without idempotence, a batch retried late on
                    // a loaded machine is a duplicate task, never an out-of-order sequence that
                    // the producer retries forever (seen with a burst of 10,000 on 2 busy cores)
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false",
                    ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1",
                    ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                        Long.toString(Submitter.MAX_INPUT_BYTES + 64 * 1024))),
            new StringSerializer(),
            new ByteArraySerializer())) {
      if (withKey) {
        NetworkKey key =
            new NetworkKey(
                NetworkKey.SCHEMA_VERSION,
                NetworkKey.CONSENSUS_SEAL,
                KeyKind.encode(KeyKind.SEALING.generate().getPublic()),
                System.currentTimeMillis());
        producer.send(
            new ProducerRecord<>(
                Topics.NETWORK_KEYS.name(),
                key.name(),
                Topics.NETWORK_KEYS
                    .valueSerde()
                    .serializer()
                    .serialize(Topics.NETWORK_KEYS.name(), key)));
      }
      var taskSerializer = Topics.TASKS.valueSerde().serializer();
      for (int i = 0; i < n; i++) {
        Task t =
            Task.of(
                "bench-" + i,
                ctx.model().modelId(),
                ctx.image(i),
                Submitter.contentType(ctx.inputs().get(i % ctx.inputs().size()).name()),
                "bench",
                "bench-" + i + ".png");
        producer.send(
            new ProducerRecord<>(
                Topics.TASKS.name(), t.taskId(), taskSerializer.serialize(Topics.TASKS.name(), t)));
      }
      producer.flush();
    }
  }

  /**
   * A peer's default configuration with a generous task age limit (10 min): the tasks wait in the
   * topic before the peer starts, and are drained again and again.
   */
  static WorkerConfig peerConfig(String peerId, KafkaSettings settings) {
    WorkerConfig d = WorkerConfig.defaults(peerId, settings);
    return new WorkerConfig(
        peerId, settings, d.stake(), d.heartbeatIntervalMs(), 600_000, d.maxPixels());
  }

  /** Points a peer's consumer group at the start of the tasks topic, so it reads every task. */
  static void rewindGroup(KafkaSettings settings, String peerId) {
    positionGroup(settings, peerId, OffsetSpec.earliest());
  }

  /**
   * Sets a peer's consumer group's offsets on every partition of the tasks topic to the topic's
   * offsets at {@code spec} (earliest: it reads every task; latest: only tasks published after).
   */
  static void positionGroup(KafkaSettings settings, String peerId, OffsetSpec spec) {
    try (Admin admin = Admin.create(settings.properties(Map.of()))) {
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      offsets(admin, Topics.TASKS.name(), spec)
          .forEach((tp, offset) -> offsets.put(tp, new OffsetAndMetadata(offset)));
      get(
          admin.alterConsumerGroupOffsets(Topics.PEER_GROUP_PREFIX + peerId, offsets).all(),
          "cannot position the group of " + peerId);
    }
  }

  /**
   * Records on a topic so far: its partitions' end offsets, summed. Unlike a group's committed
   * offsets, which move a poll (up to 500 records) at a time, this moves with each producer batch.
   *
   * @throws IllegalStateException if its offsets cannot be listed
   */
  static long endOffsets(Admin admin, String topic) {
    return offsets(admin, topic, OffsetSpec.latest()).values().stream()
        .mapToLong(Long::longValue)
        .sum();
  }

  /**
   * A bench topic's offsets at {@code spec} on each of its {@link Bench#PARTITIONS} partitions.
   *
   * @throws IllegalStateException if they cannot be listed
   */
  private static Map<TopicPartition, Long> offsets(Admin admin, String topic, OffsetSpec spec) {
    Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
    for (int p = 0; p < Bench.PARTITIONS; p++) {
      specs.put(new TopicPartition(topic, p), spec);
    }
    Map<TopicPartition, Long> offsets = new HashMap<>();
    get(admin.listOffsets(specs).all(), "cannot list the offsets of " + topic)
        .forEach((tp, info) -> offsets.put(tp, info.offset()));
    return offsets;
  }

  /**
   * Waits for an admin call's result.
   *
   * @throws IllegalStateException with {@code failure} and the cause if the call fails, or if
   *     interrupted
   */
  private static <T> T get(KafkaFuture<T> result, String failure) {
    try {
      return result.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(failure + ": " + e.getCause(), e.getCause());
    }
  }

  /** Votes per second while the peers drain the backlog (see {@link #timeDrain}). */
  static double drainRate(List<PeerWorker> instances, int n) {
    return timeDrain(
        "worker",
        n,
        1,
        () -> instances.stream().mapToLong(PeerWorker::votesPublished).sum(),
        () -> {});
  }

  /**
   * Items per second of a drain of {@code n}: from its 10th percentile (past start-up, group join
   * and key lookup) to its last.
   *
   * @param what names the drain in errors
   * @param n items to drain
   * @param pollMs how often {@code done} is read, ms
   * @param done items done so far
   * @param check throws when the drain cannot finish (a dead process)
   * @return items per second
   * @throws IllegalStateException after 10 minutes, or when {@code n} is too small to time
   */
  static double timeDrain(String what, int n, long pollMs, LongSupplier done, Runnable check) {
    long warm = Math.max(1, n / 10);
    long deadline = System.currentTimeMillis() + 600_000;
    long from = 0;
    long doneAtFrom = 0;
    long d;
    while ((d = done.getAsLong()) < n) {
      if (from == 0 && d >= warm) {
        from = System.nanoTime();
        doneAtFrom = d;
      }
      check.run();
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException(what + ": " + d + " of " + n + " after 10 min");
      }
      Bench.pause(pollMs);
    }
    if (from == 0) {
      throw new IllegalStateException(what + ": too few tasks to time (" + n + ")");
    }
    return (n - doneAtFrom) / ((System.nanoTime() - from) / 1e9);
  }
}
