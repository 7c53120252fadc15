package dev.minigradient.launcher;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.apache.kafka.streams.processor.internals.DefaultKafkaClientSupplier;

/**
 * The Kafka clients of a Streams application that can die as a killed process does, for fault tests
 * of {@code at_least_once}: from {@link #loseChangelogs()} on, its writes to changelog topics are
 * lost while its other writes (the application's output) still arrive, and its offset commits are
 * lost (the application goes on processing as if they had succeeded, as a process does whose last
 * messages never reach the brokers); from {@link #kill()} on, every write is lost.
 *
 * <p>That is the worst a crash can leave at-least-once with: each partition holds a prefix of what
 * was written to it (the producer is idempotent), but the output partitions a longer one than the
 * changelogs, so the instance that takes over restores stores that lag behind the output and
 * re-processes input whose results are already out. Without it, an in-JVM close with a zero timeout
 * still commits in the background, and nothing is re-processed.
 *
 * <p>Writes are lost by the producer answering "sent" without sending, commits by the main consumer
 * returning without committing. Transactions are not simulated (their commits just fail once the
 * changelogs are lost): for {@code exactly_once_v2} a lost suffix is an aborted transaction, which
 * a plain crash gives. Thread-safe.
 */
final class KillableClients implements KafkaClientSupplier {
  private final DefaultKafkaClientSupplier delegate = new DefaultKafkaClientSupplier();
  private volatile boolean changelogsLost;
  private volatile boolean killed;

  /** From now on, writes to changelog topics are lost, and commits fail. */
  void loseChangelogs() {
    changelogsLost = true;
  }

  /** From now on, every write is lost, and commits fail. */
  void kill() {
    changelogsLost = true;
    killed = true;
  }

  @Override
  public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
    return new LosingProducer(delegate.getProducer(config));
  }

  @Override
  public Admin getAdmin(Map<String, Object> config) {
    return delegate.getAdmin(config);
  }

  @Override
  public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
    return new LosingConsumer(config);
  }

  @Override
  public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
    return delegate.getRestoreConsumer(config);
  }

  @Override
  public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
    return delegate.getGlobalConsumer(config);
  }

  private boolean lost(String topic) {
    return killed || (changelogsLost && topic.endsWith("-changelog"));
  }

  /** The main consumer, whose offset commits are lost once the changelogs are. */
  private final class LosingConsumer extends KafkaConsumer<byte[], byte[]> {
    LosingConsumer(Map<String, Object> config) {
      super(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public void commitSync() {
      if (!changelogsLost) {
        super.commitSync();
      }
    }

    @Override
    public void commitSync(Duration timeout) {
      if (!changelogsLost) {
        super.commitSync(timeout);
      }
    }

    @Override
    public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
      if (!changelogsLost) {
        super.commitSync(offsets);
      }
    }

    @Override
    public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
      if (!changelogsLost) {
        super.commitSync(offsets, timeout);
      }
    }

    @Override
    public void commitAsync() {
      if (!changelogsLost) {
        super.commitAsync();
      }
    }

    @Override
    public void commitAsync(OffsetCommitCallback callback) {
      if (!changelogsLost) {
        super.commitAsync(callback);
      }
    }

    @Override
    public void commitAsync(
        Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
      if (!changelogsLost) {
        super.commitAsync(offsets, callback);
      }
    }
  }

  /** A producer that drops what {@link #lost} says. */
  private final class LosingProducer implements Producer<byte[], byte[]> {
    private final Producer<byte[], byte[]> producer;

    LosingProducer(Producer<byte[], byte[]> producer) {
      this.producer = producer;
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
      return send(record, null);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
      if (!lost(record.topic())) {
        return producer.send(record, callback);
      }
      RecordMetadata never =
          new RecordMetadata(
              new TopicPartition(
                  record.topic(), record.partition() == null ? 0 : record.partition()),
              -1,
              0,
              System.currentTimeMillis(),
              -1,
              -1);
      if (callback != null) {
        callback.onCompletion(never, null);
      }
      return CompletableFuture.completedFuture(never);
    }

    @Override
    public void flush() {
      producer.flush();
    }

    @Override
    public void initTransactions() {
      producer.initTransactions();
    }

    @Override
    public void beginTransaction() {
      producer.beginTransaction();
    }

    @Override
    public void sendOffsetsToTransaction(
        Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
      if (changelogsLost) {
        throw new KafkaException("killed: this process no longer reaches the brokers");
      }
      producer.sendOffsetsToTransaction(offsets, group);
    }

    @Override
    public void commitTransaction() {
      if (changelogsLost) {
        throw new KafkaException("killed: this process no longer reaches the brokers");
      }
      producer.commitTransaction();
    }

    @Override
    public void abortTransaction() {
      producer.abortTransaction();
    }

    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {
      producer.registerMetricForSubscription(metric);
    }

    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {
      producer.unregisterMetricFromSubscription(metric);
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
      return producer.partitionsFor(topic);
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
      return producer.metrics();
    }

    @Override
    public Uuid clientInstanceId(Duration timeout) {
      return producer.clientInstanceId(timeout);
    }

    @Override
    public void close() {
      producer.close();
    }

    @Override
    public void close(Duration timeout) {
      producer.close(timeout);
    }
  }
}
