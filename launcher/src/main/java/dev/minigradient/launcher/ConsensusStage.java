package dev.minigradient.launcher;

import dev.minigradient.consensus.ConsensusConfig;
import dev.minigradient.consensus.ConsensusService;
import dev.minigradient.consensus.ConsensusTopology;
import dev.minigradient.consensus.Referee;
import dev.minigradient.model.ServedModel;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.KeyKind;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.Topics;
import dev.minigradient.worker.PeerWorker;
import dev.minigradient.worker.WorkerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The {@code consensus} section of {@code bench}: the consensus app alone, draining a backlog.
 * Three real peers vote on {@code n} tasks (published in batches, each voted on before the next, so
 * a task's votes follow it on the topics as in a running network) while no consensus app runs, so
 * the tasks and their sealed, signed votes wait on {@code inference.tasks} and {@code
 * inference.votes}; then one consensus instance restarts over them and is timed until it has
 * decided them all. The baseline is a bare Kafka Streams app over the same two topics, with the
 * same partitions and Streams settings, that keeps a count per task in a store and emits at the
 * third vote: reading, grouping and writing the same records with none of the consensus' work. Both
 * rates are taken from the 10% mark to the last decision, leaving out start-up and the JIT's first
 * compilations.
 */
final class ConsensusStage {
  /** The section's name, for {@code bench --only}. */
  static final String SECTION = "consensus";

  private static final String BARE_DECISIONS = "bench.stage.decisions";
  private static final String BARE_STORE = "bench-stage-counts";
  private static final int PEERS = 3;

  private ConsensusStage() {}

  /**
   * What the section measured.
   *
   * @param figures its figures
   * @param notes its notes
   */
  record Outcome(List<BenchReport.Figure> figures, List<String> notes) {}

  /**
   * Runs the section on a broker of its own.
   *
   * @param model the model the peers serve
   * @param images task inputs, cycled
   * @param tasks the backlog's size
   * @param partitions partitions per topic
   * @param log progress lines
   * @return the figures and notes
   * @throws IOException if a state folder cannot be created
   * @throws IllegalStateException if a stage stalls for 60 s
   */
  static Outcome run(
      ServedModel model, List<byte[]> images, int tasks, int partitions, PrintWriter log)
      throws IOException {
    return run(model, images, tasks, partitions, log, false);
  }

  /**
   * Runs the section on a broker of its own.
   *
   * @param model the model the peers serve
   * @param images task inputs, cycled
   * @param tasks the backlog's size
   * @param partitions partitions per topic
   * @param log progress lines
   * @param smoke a backlog too small to time a drain (bench --quick): the figure carries no goal
   * @return the figures and notes
   * @throws IOException if a state folder cannot be created
   * @throws IllegalStateException if a stage stalls for 60 s
   */
  static Outcome run(
      ServedModel model,
      List<byte[]> images,
      int tasks,
      int partitions,
      PrintWriter log,
      boolean smoke)
      throws IOException {
    KeyPair sealing = KeyKind.SEALING.generate();
    List<BenchReport.Figure> figures = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    try (BenchNetwork network = BenchNetwork.start("mini-gradient-stage", partitions);
        EndOffsets ends = new EndOffsets(network.settings())) {
      KafkaSettings settings = network.settings();
      Path stateDir = network.stateDir();
      List<PeerWorker> peers = network.peers();
      // the default settings, but seat and decision deadlines beyond the drain: a stream thread
      // reading a backlog can take a task seconds before its votes (it fetches partitions
      // unevenly), and a seat timed out there would measure replacements and the referee
      ConsensusConfig.Committees c = ConsensusConfig.Committees.DEFAULTS;
      ConsensusConfig config =
          ConsensusConfig.defaults(settings, stateDir)
              .withCommittees(
                  new ConsensusConfig.Committees(
                      c.redundancy(),
                      c.rosterIntervalMs(),
                      c.newcomerAuditRate(),
                      DRAIN_DEADLINE_MS))
              .withTiming(
                  DRAIN_DEADLINE_MS,
                  ConsensusConfig.defaults(settings, stateDir).commitIntervalMs(),
                  ConsensusConfig.DEFAULT_EXACTLY_ONCE);
      ConsensusService consensus =
          network.startConsensus(config, Referee.of(List.of(model)), sealing);
      for (int i = 1; i <= PEERS; i++) {
        peers.add(
            new PeerWorker(
                WorkerConfig.defaults("peer-" + i, settings),
                List.of(model),
                KeyKind.SIGNING.generate()));
      }
      peers.forEach(PeerWorker::start);
      Bench.awaitReady(consensus, peers, Duration.ofSeconds(120));
      awaitRoster(consensus, peers);
      network.stopConsensus();

      progress(
          log, "consensus: %d tasks for 3 peers to vote on, no consensus app running...", tasks);
      // in batches, each voted on before the next is published: on the topics, as in a running
      // network, a task's votes follow it closely (timestamps interleave), so the drain reads
      // tasks and votes side by side instead of every task first
      for (int from = 0; from < tasks; from += BATCH) {
        int to = Math.min(tasks, from + BATCH);
        publish(settings, model, images, from, to);
        awaitCount("votes", () -> ends.of(Topics.VOTES.name()), (long) PEERS * to);
      }
      long votes = (long) PEERS * tasks;
      for (PeerWorker p : peers) {
        p.close();
      }
      peers.clear();

      progress(
          log,
          "consensus: backlog of %d tasks and %d votes; the bare Streams app over it...",
          tasks,
          votes);
      double bare;
      try (Bare app = new Bare(settings, config, partitions)) {
        bare = app.drain(tasks, ends);
      }
      progress(log, "consensus: bare app %.0f tasks/s; the consensus app over it...", bare);
      long before = ends.of(Topics.CONSENSUS.name());
      ThreadCpu cpu0 = ThreadCpu.now();
      network.startConsensus(config, Referee.of(List.of(model)), sealing);
      double rate = timeDrain(() -> ends.of(Topics.CONSENSUS.name()) - before, tasks);
      ThreadCpu.Usage cpu = ThreadCpu.now().since(cpu0);
      progress(log, "consensus: %.0f tasks/s", rate);
      figures.add(
          BenchReport.Figure.atLeast(
              SECTION,
              "one consensus instance draining a backlog of " + tasks + " tasks (3 votes each)",
              rate,
              "tasks/s",
              "bare Streams app grouping the same records by task, emitting at the third vote",
              bare,
              smoke ? Double.NaN : 0.5));
      if (smoke) {
        notes.add(
            "consensus: --quick: a backlog of "
                + tasks
                + " tasks drains in about a second, which times start-up and polling more than "
                + "deciding; the figure carries no goal (a full run drains 10,000).");
      }
      notes.add(
          String.format(
              Locale.ROOT,
              "consensus: the stream thread decides every task of its partitions in turn; while the backlog "
                  + "drained it used %.2f cores (%.3f ms per task), the consensus app's other threads %.2f. The consensus app opens 3 sealed "
                  + "votes per task and checks their signatures (one Ed25519 verification per peer's batch of votes, the rest "
                  + "hash folds to a remembered root), keeps the task's state in its stores and writes a decision, "
                  + "settlements and ledger updates; the bare app reads the same records and writes one count per record and a decision. "
                  + "What bounds it: one stream thread doing all of that per task (deserializing the task, its votes, its pending "
                  + "entry and each voter's registry entry the largest part), busy about half the drain on cores shared with the "
                  + "broker (docs/performance.md, \"The decision path\").",
              cpu.streamThread(),
              1000 * cpu.streamThread() / rate,
              cpu.byRole().getOrDefault("consensus app, other threads", 0.0)));
      return new Outcome(figures, notes);
    }
  }

  private static void progress(PrintWriter log, String format, Object... args) {
    log.printf(format + "%n", args);
    log.flush();
  }

  /**
   * Waits until the roster in effect lists every peer, so the backlog's committees seat them all.
   */
  private static void awaitRoster(ConsensusService consensus, List<PeerWorker> peers) {
    awaitCount(
        "roster",
        () -> {
          long now = System.currentTimeMillis();
          var r = consensus.rosterAt(now);
          boolean all =
              r != null
                  && peers.stream()
                      .allMatch(
                          p -> r.members().stream().anyMatch(m -> m.peerId().equals(p.peerId())))
                  && peers.stream()
                      .allMatch(
                          p ->
                              p.rosterAt(now) != null
                                  && p.rosterAt(now).effectiveFrom() == r.effectiveFrom());
          return all ? 1 : 0;
        },
        1);
  }

  /** Seat and decision deadlines of the drained app, ms: beyond any drain. */
  private static final long DRAIN_DEADLINE_MS = 600_000;

  /** Tasks published at a time, each batch voted on before the next. */
  private static final int BATCH = 200;

  /** Publishes tasks {@code from} (inclusive) to {@code to} (exclusive). */
  private static void publish(
      KafkaSettings settings, ServedModel model, List<byte[]> images, int from, int to) {
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            settings.properties(
                Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, "5")),
            new StringSerializer(),
            new ByteArraySerializer())) {
      var serializer = Topics.TASKS.valueSerde().serializer();
      for (int i = from; i < to; i++) {
        Task t =
            Task.of(
                "stage-" + i,
                model.modelId(),
                images.get(i % images.size()),
                "image/png",
                "bench",
                "stage-" + i + ".png");
        producer.send(
            new ProducerRecord<>(
                Topics.TASKS.name(), t.taskId(), serializer.serialize(Topics.TASKS.name(), t)));
      }
      producer.flush();
    }
  }

  /** Waits until {@code count} reaches {@code target}, failing after 60 s without progress. */
  private static void awaitCount(String what, LongSupplier count, long target) {
    long last = -1;
    long lastChange = System.currentTimeMillis();
    long n;
    while ((n = count.getAsLong()) < target) {
      if (n != last) {
        last = n;
        lastChange = System.currentTimeMillis();
      } else if (System.currentTimeMillis() - lastChange > 60_000) {
        throw new IllegalStateException(
            "consensus stage: " + what + " stalled at " + n + " of " + target);
      }
      Bench.pause(20);
    }
  }

  /**
   * Decisions per second from the moment 10% of {@code n} are out to the moment all are.
   *
   * @param decided decisions so far
   * @param n decisions expected
   */
  private static double timeDrain(LongSupplier decided, int n) {
    long tenth = Math.max(1, n / 10);
    awaitCount("decisions", decided, tenth);
    long t0 = System.nanoTime();
    long at0 = decided.getAsLong();
    awaitCount("decisions", decided, n);
    return (n - at0) / ((System.nanoTime() - t0) / 1e9);
  }

  /**
   * The end offsets of topics, summed over their partitions, read by one consumer kept open while
   * the section polls them (every 20 ms), rather than a client made per reading.
   */
  private static final class EndOffsets implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;

    EndOffsets(KafkaSettings settings) {
      this.consumer =
          new KafkaConsumer<>(
              settings.properties(Map.of()),
              new ByteArrayDeserializer(),
              new ByteArrayDeserializer());
    }

    long of(String topic) {
      List<TopicPartition> parts = new ArrayList<>();
      consumer
          .partitionsFor(topic)
          .forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
      return consumer.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public void close() {
      consumer.close();
    }
  }

  /**
   * The baseline: tasks and votes merged, a count per task id in a persistent store (a task writes
   * 0, each vote adds one), a decision at the third vote, with the consensus app's Streams
   * settings.
   */
  private static final class Bare implements AutoCloseable {
    private final KafkaStreams streams;

    Bare(KafkaSettings settings, ConsensusConfig consensus, int partitions) throws IOException {
      BarePipeline.createTopics(settings, List.of(BARE_DECISIONS), partitions);
      StreamsBuilder builder = new StreamsBuilder();
      builder.addStateStore(
          Stores.keyValueStoreBuilder(
              Stores.persistentKeyValueStore(BARE_STORE), Serdes.String(), Serdes.Integer()));
      var tasks =
          builder.stream(
                  Topics.TASKS.name(),
                  Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("stage-tasks"))
              .mapValues(v -> (byte[]) null, Named.as("stage-task-marker"));
      builder.stream(
              Topics.VOTES.name(),
              Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("stage-votes"))
          .merge(tasks, Named.as("stage-merge"))
          .process(
              () -> new BarePipeline.ThirdVote(BARE_STORE), Named.as("stage-count"), BARE_STORE)
          .to(
              BARE_DECISIONS,
              Produced.with(Serdes.String(), Serdes.ByteArray()).withName("stage-decisions"));
      Properties p =
          ConsensusTopology.streamsProperties(
              consensus.withStateDir(Files.createTempDirectory("mini-gradient-stage-bare")));
      p.put(
          StreamsConfig.APPLICATION_ID_CONFIG,
          "bench-stage-" + UUID.randomUUID().toString().substring(0, 8));
      p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
      this.streams = new KafkaStreams(builder.build(p), p);
    }

    double drain(int n, EndOffsets ends) {
      streams.start();
      return timeDrain(() -> ends.of(BARE_DECISIONS), n);
    }

    @Override
    public void close() {
      streams.close(Duration.ofSeconds(10));
      streams.cleanUp();
    }
  }
}
