package dev.minigradient.launcher;

import dev.minigradient.consensus.ConsensusTopology;
import dev.minigradient.producer.Submitter;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.worker.PeerWorker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The network's message flow with nothing else in it, the throughput and latency baseline of {@link
 * Bench}: a requester publishes small task records, three "peers" (plain consumer and producer
 * loops) each echo a one-byte vote, a plain Kafka Streams app counts votes per task and emits a
 * decision at the third, and the requester reads the decisions. No decoding, inference, signatures
 * or sealing; the same hops, acks and batching as the real network (peers flush and commit per
 * poll, the requester keeps a window of tasks in flight and flushes per burst).
 */
public final class BarePipeline implements AutoCloseable {
  /** Bare tasks topic. */
  public static final String TASKS = "bench.bare.tasks";

  /** Bare votes topic. */
  public static final String VOTES = "bench.bare.votes";

  /** Bare decisions topic. */
  public static final String DECISIONS = "bench.bare.decisions";

  private static final String COUNTS_STORE = "bench-bare-vote-counts";
  private static final int PEERS = 3;

  private final KafkaSettings kafka;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> echoes = new ArrayList<>();
  private final List<KafkaConsumer<String, byte[]>> echoConsumers = new ArrayList<>();
  private final KafkaStreams streams;
  private final Path stateDir;

  /**
   * One run's outcome.
   *
   * @param tasks tasks decided
   * @param wallMs from the first send to the last decision, ms
   * @param latenciesMs sorted per-task send-to-decision latencies, ms
   */
  public record Run(int tasks, double wallMs, double[] latenciesMs) {
    /**
     * Decided tasks per second of wall time.
     *
     * @return the rate
     */
    public double perSecond() {
      return wallMs <= 0 ? 0 : tasks * 1000.0 / wallMs;
    }
  }

  private BarePipeline(KafkaSettings kafka, int partitions) throws IOException {
    this.kafka = kafka;
    createTopics(kafka, List.of(TASKS, VOTES, DECISIONS), partitions);
    this.stateDir = Files.createTempDirectory("mini-gradient-bare");
    String runId = UUID.randomUUID().toString().substring(0, 8);
    for (int i = 1; i <= PEERS; i++) {
      KafkaConsumer<String, byte[]> c =
          new KafkaConsumer<>(
              kafka.properties(
                  Map.of(
                      ConsumerConfig.GROUP_ID_CONFIG, "bench-bare-peer-" + i + "-" + runId,
                      // a fresh group on a fresh topic: reading from the start misses nothing
                      ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                      ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                      ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "100")),
              new StringDeserializer(),
              new ByteArrayDeserializer());
      echoConsumers.add(c);
      byte[] vote = new byte[] {(byte) i};
      Thread t = new Thread(() -> echo(c, vote), "bench-bare-peer-" + i);
      t.setDaemon(true);
      echoes.add(t);
    }
    StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(COUNTS_STORE), Serdes.String(), Serdes.Integer()));
    builder.stream(
            VOTES, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("bench-bare-votes"))
        .process(() -> new ThirdVote(COUNTS_STORE), Named.as("bench-bare-count"), COUNTS_STORE)
        .to(
            DECISIONS,
            Produced.with(Serdes.String(), Serdes.ByteArray()).withName("bench-bare-decisions"));
    Properties p = kafka.properties(Map.of());
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-bare-" + runId);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "1");
    p.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, "true");
    // the consensus app's latency settings (ConsensusTopology): short polls, its producer linger
    p.put(StreamsConfig.POLL_MS_CONFIG, "10");
    p.put(
        StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG),
        Integer.toString(ConsensusTopology.PRODUCER_LINGER_MS));
    this.streams = new KafkaStreams(builder.build(), p);
  }

  /**
   * Counts a key's votes in a store and emits the key at the third, deleting its count: the bare
   * apps' whole work. A record with a null value (a task, where the votes come merged with the
   * tasks) only marks the key with a count of 0.
   */
  static final class ThirdVote implements Processor<String, byte[], String, byte[]> {
    private final String storeName;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, Integer> counts;

    /**
     * @param storeName the key-value store of counts (String to Integer) the topology declares
     */
    ThirdVote(String storeName) {
      this.storeName = storeName;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
      this.context = context;
      this.counts = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, byte[]> r) {
      Integer seen = counts.get(r.key());
      if (r.value() == null) {
        if (seen == null) {
          counts.put(r.key(), 0);
        }
        return;
      }
      int n = seen == null ? 1 : seen + 1;
      if (n >= PEERS) {
        counts.delete(r.key());
        context.forward(r.withValue(r.key().getBytes(StandardCharsets.UTF_8)));
      } else {
        counts.put(r.key(), n);
      }
    }
  }

  /**
   * Creates the topics and starts the three echo peers and the counting app, waiting until the app
   * runs.
   *
   * @param kafka the cluster
   * @param partitions partitions per topic (as the network's)
   * @param timeout how long to wait for the app
   * @return the running pipeline
   * @throws IOException if its state folder cannot be created
   * @throws IllegalStateException if the app does not run in time
   */
  public static BarePipeline start(KafkaSettings kafka, int partitions, Duration timeout)
      throws IOException {
    BarePipeline b = new BarePipeline(kafka, partitions);
    b.echoes.forEach(Thread::start);
    b.streams.start();
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    while (b.streams.state() != KafkaStreams.State.RUNNING) {
      if (System.currentTimeMillis() > deadline) {
        b.close();
        throw new IllegalStateException(
            "bare pipeline's Streams app not running after " + timeout.toSeconds() + " s");
      }
      Bench.pause(20);
    }
    return b;
  }

  private void echo(KafkaConsumer<String, byte[]> consumer, byte[] vote) {
    try (KafkaProducer<String, byte[]> producer = producer(kafka, PeerWorker.LINGER_MS)) {
      consumer.subscribe(List.of(TASKS));
      while (running.get()) {
        var records = consumer.poll(Duration.ofMillis(200));
        if (records.isEmpty()) {
          continue;
        }
        for (ConsumerRecord<String, byte[]> r : records) {
          producer.send(new ProducerRecord<>(VOTES, r.key(), vote));
        }
        producer.flush();
        consumer.commitSync();
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  /**
   * Sends {@code tasks} tasks keeping at most {@code inFlight} undecided, and waits for every
   * decision.
   *
   * @param tasks how many
   * @param inFlight window, >= 1
   * @param timeout how long to wait without any decision
   * @return the run
   * @throws IllegalStateException if a decision does not come in time
   */
  public Run run(int tasks, int inFlight, Duration timeout) {
    List<TopicPartition> parts = new ArrayList<>();
    try (KafkaProducer<String, byte[]> producer = producer(kafka, Submitter.LINGER_MS);
        KafkaConsumer<String, byte[]> answers =
            new KafkaConsumer<>(
                kafka.properties(
                    Map.of(
                        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")),
                new StringDeserializer(),
                new ByteArrayDeserializer())) {
      answers
          .partitionsFor(DECISIONS)
          .forEach(pi -> parts.add(new TopicPartition(DECISIONS, pi.partition())));
      answers.assign(parts);
      answers.seekToEnd(parts);
      parts.forEach(answers::position);
      Map<String, Long> sentAt = new HashMap<>();
      double[] latencies = new double[tasks];
      int sent = 0;
      int done = 0;
      long start = System.nanoTime();
      long lastProgress = System.currentTimeMillis();
      byte[] payload = new byte[100];
      while (done < tasks) {
        boolean burst = false;
        while (sent < tasks && sentAt.size() < inFlight) {
          String id = UUID.randomUUID().toString();
          sentAt.put(id, System.nanoTime());
          producer.send(new ProducerRecord<>(TASKS, id, payload));
          sent++;
          burst = true;
        }
        if (burst) {
          producer.flush();
        }
        for (ConsumerRecord<String, byte[]> r : answers.poll(Duration.ofMillis(50))) {
          Long t0 = sentAt.remove(r.key());
          if (t0 != null) {
            latencies[done++] = (System.nanoTime() - t0) / 1e6;
            lastProgress = System.currentTimeMillis();
          }
        }
        if (System.currentTimeMillis() - lastProgress > timeout.toMillis()) {
          throw new IllegalStateException(
              "bare pipeline: no decision for "
                  + timeout.toSeconds()
                  + " s ("
                  + done
                  + "/"
                  + tasks
                  + ")");
        }
      }
      double wallMs = (System.nanoTime() - start) / 1e6;
      Arrays.sort(latencies);
      return new Run(tasks, wallMs, latencies);
    }
  }

  /**
   * A producer as the network's components use: {@code acks=all}, idempotent.
   *
   * @param kafka the cluster
   * @param lingerMs {@code linger.ms}
   * @return the producer; close it
   */
  static KafkaProducer<String, byte[]> producer(KafkaSettings kafka, int lingerMs) {
    return new KafkaProducer<>(
        kafka.properties(
            Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.LINGER_MS_CONFIG, Integer.toString(lingerMs))),
        new StringSerializer(),
        new ByteArraySerializer());
  }

  /**
   * Creates topics (replication 1) unless they exist.
   *
   * @param kafka the cluster
   * @param names topic names
   * @param partitions partitions each
   * @throws IllegalStateException if the cluster refuses
   */
  static void createTopics(KafkaSettings kafka, List<String> names, int partitions) {
    try (Admin admin = Admin.create(kafka.properties(Map.of()))) {
      List<NewTopic> topics = new ArrayList<>();
      names.forEach(n -> topics.add(new NewTopic(n, Optional.of(partitions), Optional.empty())));
      for (var f : admin.createTopics(topics).values().values()) {
        try {
          f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("cannot create bench topics: " + e.getCause(), e);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("cannot create bench topics: timed out", e);
    }
  }

  /** Stops the peers and the app and deletes its state. */
  @Override
  public void close() {
    running.set(false);
    echoConsumers.forEach(KafkaConsumer::wakeup);
    for (Thread t : echoes) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    streams.close(Duration.ofSeconds(10));
    EmbeddedKafka.deleteTree(stateDir);
  }
}
