package dev.minigradient.launcher;

import dev.minigradient.consensus.ConsensusConfig;
import dev.minigradient.consensus.ConsensusService;
import dev.minigradient.consensus.Referee;
import dev.minigradient.consensus.ReputationRules;
import dev.minigradient.launcher.BenchReport.Figure;
import dev.minigradient.producer.Input;
import dev.minigradient.producer.Result;
import dev.minigradient.producer.Submitter;
import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.Hashes;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.NetworkKey;
import dev.minigradient.protocol.Sealing;
import dev.minigradient.protocol.Signatures;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.TopicAdmin;
import dev.minigradient.protocol.Topics;
import dev.minigradient.protocol.Vote;
import dev.minigradient.worker.PeerWorker;
import dev.minigradient.model.ServedModel;
import dev.minigradient.worker.WorkerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Measures the network against its physical limits, each figure beside a baseline taken in the
 * same run, on the same images and machine:
 *
 * <ol>
 *   <li>worker: one honest {@link PeerWorker} draining pre-published tasks, against the same
 *       work (decode, preprocess, ONNX inference, then hash, sign, seal, serialize) in a plain
 *       loop;
 *   <li>latency: submit-to-answer at one task in flight with 3 peers (at-least-once, the default,
 *       and exactly-once at two commit intervals), against one Kafka hop on the same broker;
 *   <li>throughput: tasks/s with many in flight, against {@link BarePipeline} (the same three
 *       hops with nothing in them);
 *   <li>scaling: 3 against 15 peers, both at the network's default committee of k = 3 seats per
 *       task, and the process's resident memory;
 *   <li>scale: networks of 3 to 60 peers whose inference takes a fixed wall time on no core,
 *       against linear scaling ({@link ScaleModel}).
 * </ol>
 */
public final class Bench {
  private static final int PARTITIONS = 3;
  private static final String HOP_TOPIC = "bench.hop";
  private static final String WORKER_ID = "bench-worker";

  /** The consensus app's committee settings in every network run: the network's defaults. */
  private static final ConsensusConfig.Committees COMMITTEES = ConsensusConfig.Committees.DEFAULTS;

  /** Seats per task, k. */
  private static final int SEATS = COMMITTEES.redundancy();

  /**
   * What to run.
   *
   * @param quick small counts and only the default consensus settings (a CI smoke)
   * @param tasks tasks per throughput run
   * @param workerTasks tasks per worker drain (each drain reads the same pre-published tasks)
   * @param latencyTasks tasks per latency run (one in flight)
   * @param hopSamples round trips of the one-hop baseline
   * @param inFlight tasks in flight in throughput runs
   * @param scalePeers peers of the scaling run
   * @param sections the parts to run: {@code worker} (section 1), {@code network} (sections 2-4,
   *     which share one broker) and {@code scale} (section 5, a broker of its own)
   */
  public record Options(
      boolean quick, int tasks, int workerTasks, int latencyTasks, int hopSamples, int inFlight, int scalePeers, java.util.Set<String> sections) {
    /** Every section, the default. */
    public static final java.util.Set<String> ALL_SECTIONS = java.util.Set.of("worker", "network", ConsensusStage.SECTION, ScaleModel.SECTION);

    /** Validates counts and section names. */
    public Options {
      if (tasks < 1 || workerTasks < 1 || latencyTasks < 1 || hopSamples < 1 || inFlight < 1 || scalePeers < 3) {
        throw new IllegalArgumentException("counts must be >= 1 (scale peers >= 3)");
      }
      if (sections.isEmpty() || !ALL_SECTIONS.containsAll(sections)) {
        throw new IllegalArgumentException("sections must be among " + new java.util.TreeSet<>(ALL_SECTIONS) + ", got " + sections);
      }
      sections = java.util.Set.copyOf(sections);
    }

    /**
     * The same options for some sections only.
     *
     * @param only section names, among {@link #ALL_SECTIONS}
     * @return the options
     * @throws IllegalArgumentException for an unknown name or none
     */
    public Options only(java.util.Set<String> only) {
      return new Options(quick, tasks, workerTasks, latencyTasks, hopSamples, inFlight, scalePeers, only);
    }

    /**
     * The defaults.
     *
     * @param quick the CI smoke's small counts
     * @param tasks tasks per throughput run and per worker drain, or null for the defaults (3,000
     *     and 10,000; 300 and 300 quick)
     * @return the options
     */
    public static Options of(boolean quick, Integer tasks) {
      return quick
          ? new Options(true, tasks != null ? tasks : 300, tasks != null ? tasks : 300, 25, 300, 256, 15, ALL_SECTIONS)
          : new Options(false, tasks != null ? tasks : 3_000, tasks != null ? tasks : 10_000, 200, 2_000, 256, 15, ALL_SECTIONS);
    }
  }

  /**
   * JVM options of the separately measured {@code inference-worker} process: the heap cap that
   * {@code bin/inference-worker} and the compose file's worker service give a peer (a test keeps
   * the three alike), so its memory is a deployed peer's.
   */
  static final List<String> WORKER_JAVA_OPTIONS = List.of("-Xmx192m", "-XX:+UseSerialGC");

  /** Longest untimed warm-up of the worker section, ns. */
  private static final long WARM_UP_LIMIT_NS = 90_000_000_000L;

  /**
   * The JIT counts as quiet when its compiler threads spent less than this share of a warm-up
   * drain's wall time compiling.
   */
  private static final double QUIET_JIT_SHARE = 0.05;

  private final Options options;
  /** The model as the {@code inference-worker} command takes it ({@code --model}), or null. */
  private final String modelArg;
  private final ServedModel model;
  private final List<byte[]> images;
  private final List<Input> inputs;
  private final PrintWriter log;
  private final List<Figure> figures = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  /** The raw loop with hash, sign and seal, votes/s on one thread; NaN until section 1 ran. */
  private double rawFullRate = Double.NaN;

  private Bench(Options options, ServedModel model, String modelArg, List<Input> inputs, PrintWriter log) {
    this.options = options;
    this.modelArg = modelArg;
    this.model = model;
    this.inputs = inputs;
    this.images = inputs.stream().map(Input::bytes).toList();
    this.log = log;
  }

  /**
   * Runs every measurement and returns the report.
   *
   * @param options what to run
   * @param model the served model (not closed here)
   * @param modelArg the same model as the {@code inference-worker} command's {@code --model} takes
   *     it (a model folder or {@code .onnx} file), or null to skip the separate worker process
   * @param inputs readable sample images
   * @param log progress lines
   * @return the report
   * @throws IOException if a state folder cannot be created
   * @throws IllegalStateException if a stage fails (a broker that does not start, answers that do
   *     not come)
   */
  public static BenchReport run(Options options, ServedModel model, String modelArg, List<Input> inputs, PrintWriter log)
      throws IOException {
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("no readable images");
    }
    long t0 = System.nanoTime();
    Bench b = new Bench(options, model, modelArg, inputs, log);
    double rssStart = BenchReport.rssMiB();
    if (options.sections().contains("worker")) {
      b.worker();
    }
    if (options.sections().contains("network")) {
      b.network(rssStart);
    }
    if (options.sections().contains(ConsensusStage.SECTION)) {
      ConsensusStage.Outcome o = ConsensusStage.run(model, b.images, options.workerTasks(), PARTITIONS, log);
      b.figures.addAll(o.figures());
      b.notes.addAll(o.notes());
    }
    ScaleModel.Settings scale = ScaleModel.Settings.of(options.quick());
    if (options.sections().contains(ScaleModel.SECTION)) {
      ScaleModel.Outcome o = ScaleModel.run(scale, model, inputs, log);
      b.figures.addAll(o.figures());
      b.notes.addAll(o.notes());
    }
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("quick", options.quick());
    settings.put("images", inputs.size());
    settings.put("tasks", options.tasks());
    settings.put("worker_tasks", options.workerTasks());
    settings.put("latency_tasks", options.latencyTasks());
    settings.put("hop_samples", options.hopSamples());
    settings.put("in_flight", options.inFlight());
    settings.put("scale_peers", options.scalePeers());
    settings.put("partitions", PARTITIONS);
    settings.put("seats_per_task", SEATS);
    settings.put("scale_model", scale.describe());
    settings.put("sections", new java.util.TreeSet<>(options.sections()));
    return new BenchReport(BenchReport.Machine.current(), settings, b.figures, b.notes, (System.nanoTime() - t0) / 1e9);
  }

  private void progress(String format, Object... args) {
    log.printf(format + "%n", args);
    log.flush();
  }

  // ---- 1. worker efficiency ----------------------------------------------------------------

  private void worker() throws IOException {
    int n = options.workerTasks();
    progress("worker: raw loop, %d images...", n);
    double rawInfer = rate(n, i -> model.infer(image(i)));
    KeyPair keys = Signatures.generateKeyPair();
    UnaryOperator<Vote> signer = Signatures.signer(keys.getPrivate());
    Sealing.Sealer sealer = Sealing.sealer(Sealing.generateKeyPair().getPublic());
    var serializer = Topics.VOTES.valueSerde().serializer();
    double rawFull =
        rate(
            n,
            i -> {
              byte[] b = image(i);
              ServedModel.Prediction p = model.infer(b);
              Vote v = Vote.builder().taskId("task-" + i).peerId(WORKER_ID).modelId(model.modelId())
                  .inputSha256(Hashes.sha256Hex(b)).label(p.label()).rejection(p.rejection())
                  .probabilities(p.probabilities()).inferenceMs(0.1).votedAt(System.currentTimeMillis()).build();
              serializer.serialize(Topics.VOTES.name(), sealer.seal(signer.apply(v)));
            });
    progress("worker: raw %.0f votes/s (decode+preprocess+infer), %.0f with hash+sign+seal; one peer on the broker...",
        rawInfer, rawFull);
    double peer;
    double pair;
    double[] process = null;
    try (EmbeddedKafka kafka = EmbeddedKafka.start(1)) {
      KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers(), Map.of());
      TopicAdmin.ensureTopics(settings, PARTITIONS, Optional.empty(), Duration.ofSeconds(30));
      publishTasks(settings, n, true);
      // untimed passes over the same tasks first, until the JIT has compiled the Kafka client and
      // broker paths as it has the raw loop's
      WarmUp warm = warmUp(settings, backlogConfig(WORKER_ID + "-warm-up", settings), keys, n);
      progress("worker: warmed up in %d untimed drains", warm.passes());
      notes.add("worker: " + warm.note("drain(s) of the same tasks"));
      rewindGroup(settings, WORKER_ID);
      try (PeerWorker worker = new PeerWorker(backlogConfig(WORKER_ID, settings), List.of(model), keys)) {
        worker.start();
        peer = drainRate(List.of(worker), n);
      }
      progress("worker: peer %.0f votes/s; two instances of one peer...", peer);
      String pairId = WORKER_ID + "-pair";
      rewindGroup(settings, pairId);
      WorkerConfig pairConfig = backlogConfig(pairId, settings);
      try (PeerWorker a = new PeerWorker(pairConfig.withInstanceId("a"), List.of(model), keys);
          PeerWorker b = new PeerWorker(pairConfig.withInstanceId("b"), List.of(model), keys)) {
        a.start();
        b.start();
        pair = drainRate(List.of(a, b), n);
      }
      progress("worker: 2 instances %.0f votes/s; one peer in its own process...", pair);
      if (modelArg != null) {
        process = processDrain(settings, n);
        progress("worker: own process %.0f votes/s, peak RSS %.0f MiB", process[0], process[1]);
      }
    }
    rawFullRate = rawFull;
    notes.add(String.format(Locale.ROOT, "worker: decoding, preprocessing and inference bound a peer at %.0f votes/s (%.3f ms a vote on one "
        + "thread); the peer signs, seals and sends on a second thread, so it reached %.0f%% of that.", rawInfer, 1000 / rawInfer,
        100 * peer / rawInfer));
    figures.add(Figure.atLeast("worker", "1 peer draining pre-published tasks", peer, "votes/s",
        "raw loop: decode + preprocess + infer + hash + sign + seal", rawFull, 0.80));
    figures.add(Figure.atLeast("worker", "1 peer draining pre-published tasks", peer, "votes/s",
        "raw loop: decode + preprocess + infer", rawInfer, Double.NaN));
    figures.add(Figure.atLeast("worker", "raw loop with hash + sign + seal", rawFull, "votes/s",
        "raw loop: decode + preprocess + infer", rawInfer, Double.NaN));
    figures.add(Figure.atLeast("worker", "2 instances of one peer (one consumer group)", pair, "votes/s",
        "1 instance", peer, Double.NaN));
    if (process != null) {
      figures.add(Figure.atLeast("worker", "1 peer in its own process (inference-worker command, cold JVM)", process[0], "votes/s",
          "raw loop: decode + preprocess + infer + hash + sign + seal", rawFull, Double.NaN));
      figures.add(Figure.atMost("worker", "inference-worker process: peak RSS (VmHWM)", process[1], "MiB",
          "goal: 300 MB", 300e6 / (1 << 20), 1.0));
    }
  }

  /**
   * A peer's default configuration with a generous task age limit (10 min): the tasks wait in the
   * topic before the peer starts, and are drained again and again.
   */
  private static WorkerConfig backlogConfig(String peerId, KafkaSettings settings) {
    WorkerConfig d = WorkerConfig.defaults(peerId, settings);
    return new WorkerConfig(peerId, settings, d.stake(), d.heartbeatIntervalMs(), 600_000, d.maxPixels());
  }

  /**
   * Runs the {@code inference-worker} command in a child JVM (same Java, same class path, {@link
   * #WORKER_JAVA_OPTIONS}) on the pre-published tasks and measures its drain rate from its
   * group's committed offsets, and its peak resident memory from {@code /proc/<pid>/status}.
   *
   * @return {votes/s, peak RSS in MiB}
   */
  private double[] processDrain(KafkaSettings settings, int n) throws IOException {
    String id = WORKER_ID + "-process";
    String group = Topics.PEER_GROUP_PREFIX + id;
    // n fresh tasks (the first ones may be older than the worker's task age limit by now), read
    // from the topic's current end
    long base = positionGroup(settings, id, org.apache.kafka.clients.admin.OffsetSpec.latest());
    publishTasks(settings, n, false);
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(WORKER_JAVA_OPTIONS);
    cmd.addAll(List.of("-cp", classPathForChild(), MiniGradient.class.getName(), "inference-worker",
        "--bootstrap-servers", settings.bootstrapServers(), "--peer-id", id, "--instance-id", id,
        "--model", modelArg, "--key-file", Files.createTempDirectory("mini-gradient-bench-key").resolve("peer.key").toString()));
    Path output = Files.createTempFile("mini-gradient-bench-worker", ".log");
    Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    try (Admin admin = Admin.create(settings.properties(Map.of()))) {
      double rate = timeDrain("worker process", n, 20, () -> committed(admin, group) - base, () -> {
        if (!child.isAlive()) {
          List<String> lines;
          try {
            lines = Files.readAllLines(output);
          } catch (IOException e) {
            lines = List.of("(unreadable: " + e.getMessage() + ")");
          }
          throw new IllegalStateException("worker process exited with " + child.exitValue() + "; its output ends: "
              + String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size())));
        }
      });
      return new double[] {rate, BenchReport.peakRssMiB(child.pid())};
    } finally {
      Files.deleteIfExists(output);
      child.destroy();
      try {
        if (!child.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
          child.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        child.destroyForcibly();
      }
    }
  }

  /**
   * This JVM's class path for a child JVM: the jar itself when run as {@code java -jar}, else (a
   * build's many folders and jars) a temporary manifest-only jar whose {@code Class-Path} lists
   * them. ONNX Runtime 1.29's native library crashes the JVM (SIGSEGV, no error report) when
   * {@code java.class.path} is long, about 10 KB here, as a test run's is.
   */
  private static String classPathForChild() throws IOException {
    String cp = System.getProperty("java.class.path");
    String[] entries = cp.split(java.io.File.pathSeparator);
    if (entries.length == 1) {
      return cp;
    }
    java.util.jar.Manifest manifest = new java.util.jar.Manifest();
    manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
    StringBuilder urls = new StringBuilder();
    for (String e : entries) {
      if (!e.isBlank()) {
        urls.append(Path.of(e).toAbsolutePath().toUri()).append(' ');
      }
    }
    manifest.getMainAttributes().put(java.util.jar.Attributes.Name.CLASS_PATH, urls.toString().strip());
    Path jar = Files.createTempFile("mini-gradient-bench-classpath", ".jar");
    jar.toFile().deleteOnExit();
    try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar), manifest)) {
      // the manifest is the whole jar
    }
    return jar.toString();
  }

  /** Offsets committed by a consumer group on the tasks topic, summed over partitions. */
  private static long committed(Admin admin, String group) {
    try {
      return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet().stream()
          .filter(e -> e.getKey().topic().equals(Topics.TASKS.name()) && e.getValue() != null)
          .mapToLong(e -> e.getValue().offset())
          .sum();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("cannot read the offsets of " + group + ": " + e.getCause(), e.getCause());
    }
  }

  private byte[] image(int i) {
    return images.get(i % images.size());
  }

  /**
   * Calls {@code work} {@code n} times, per second, after a warm-up of at least 2 s and 500 calls
   * (the JIT compiles the PNG decoder late).
   */
  private static double rate(int n, IntConsumer work) {
    long warmUntil = System.nanoTime() + 2_000_000_000L;
    for (int i = 0; i < 500 || System.nanoTime() < warmUntil; i++) {
      work.accept(i);
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      work.accept(i);
    }
    return n / ((System.nanoTime() - t0) / 1e9);
  }

  /**
   * Publishes {@code n} tasks, after a sealing key (as the consensus app would) when {@code
   * withKey}.
   */
  private void publishTasks(KafkaSettings settings, int n, boolean withKey) {
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            settings.properties(
                Map.of(
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.LINGER_MS_CONFIG, "5",
                    ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Long.toString(Submitter.MAX_INPUT_BYTES + 64 * 1024))),
            new StringSerializer(),
            new ByteArraySerializer())) {
      if (withKey) {
        NetworkKey key = new NetworkKey(NetworkKey.SCHEMA_VERSION, NetworkKey.CONSENSUS_SEAL,
            Sealing.encode(Sealing.generateKeyPair().getPublic()), System.currentTimeMillis());
        producer.send(new ProducerRecord<>(Topics.NETWORK_KEYS.name(), key.name(),
            Topics.NETWORK_KEYS.valueSerde().serializer().serialize(Topics.NETWORK_KEYS.name(), key)));
      }
      var taskSerializer = Topics.TASKS.valueSerde().serializer();
      for (int i = 0; i < n; i++) {
        Task t = Task.of("bench-" + i, model.modelId(), image(i), "image/png", "bench", "bench-" + i + ".png");
        producer.send(new ProducerRecord<>(Topics.TASKS.name(), t.taskId(), taskSerializer.serialize(Topics.TASKS.name(), t)));
      }
      producer.flush();
    }
  }

  /** Points a peer's consumer group at the start of the tasks topic, so it reads every task. */
  private static void rewindGroup(KafkaSettings settings, String peerId) {
    positionGroup(settings, peerId, org.apache.kafka.clients.admin.OffsetSpec.earliest());
  }

  /**
   * Sets a peer's consumer group's offsets on every partition of the tasks topic to the topic's
   * offsets at {@code spec} (earliest: it reads every task; latest: only tasks published after).
   *
   * @return the offsets set, summed over the partitions
   */
  private static long positionGroup(KafkaSettings settings, String peerId, org.apache.kafka.clients.admin.OffsetSpec spec) {
    Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> specs = new HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      specs.put(new TopicPartition(Topics.TASKS.name(), p), spec);
    }
    try (Admin admin = Admin.create(settings.properties(Map.of()))) {
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      admin.listOffsets(specs).all().get().forEach((tp, info) -> offsets.put(tp, new OffsetAndMetadata(info.offset())));
      admin.alterConsumerGroupOffsets(Topics.PEER_GROUP_PREFIX + peerId, offsets).all().get();
      return offsets.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("cannot position the group of " + peerId + ": " + e.getCause(), e.getCause());
    }
  }

  /**
   * Drains the tasks with a fresh peer of {@code config}'s id until the JIT is quiet (see {@link
   * #untilJitQuiet}).
   *
   * @return the passes made
   */
  private WarmUp warmUp(KafkaSettings settings, WorkerConfig config, KeyPair keys, int n) {
    return untilJitQuiet(() -> {
      rewindGroup(settings, config.peerId());
      try (PeerWorker w = new PeerWorker(config, List.of(model), keys)) {
        w.start();
        drainRate(List.of(w), n);
      }
    });
  }

  /**
   * Untimed warm-up passes made (see {@link #untilJitQuiet}).
   *
   * @param passes how many
   * @param lastJitShare the JIT's compile time over the wall time of the last one
   */
  private record WarmUp(int passes, double lastJitShare) {
    /** The report's note on them; {@code what} names the passes. */
    String note(String what) {
      return String.format(Locale.ROOT, "%d untimed %s ran first (until the JIT's compile time fell under %d%% of a pass's wall "
          + "time, for at most %d s; one with --quick); in the last, compile time was %.0f%% of wall time (summed over the "
          + "compiler threads).", passes, what, Math.round(QUIET_JIT_SHARE * 100), WARM_UP_LIMIT_NS / 1_000_000_000L, lastJitShare * 100);
    }
  }

  /**
   * Runs {@code pass} again and again, untimed, until the JIT's compiler threads spent less than
   * {@link #QUIET_JIT_SHARE} of a pass's wall time compiling, or {@link #WARM_UP_LIMIT_NS} has
   * passed; once with {@code --quick}. On 2 cores the compiler threads took more than half a core
   * through the first 20 s of Kafka client, broker and Streams code, which a timed pass must not
   * pay: a long-running peer or consensus app runs compiled code.
   *
   * @return the passes made
   */
  private WarmUp untilJitQuiet(Runnable pass) {
    java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
    long until = System.nanoTime() + WARM_UP_LIMIT_NS;
    int passes = 0;
    while (true) {
      long compiledMs = jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
      long t0 = System.nanoTime();
      pass.run();
      passes++;
      double share = jit.isCompilationTimeMonitoringSupported()
          ? (jit.getTotalCompilationTime() - compiledMs) / ((System.nanoTime() - t0) / 1e6)
          : 0;
      if (options.quick() || share < QUIET_JIT_SHARE || System.nanoTime() > until) {
        return new WarmUp(passes, share);
      }
    }
  }

  /**
   * Votes per second while the peers drain the backlog (see {@link #timeDrain}).
   */
  private static double drainRate(List<PeerWorker> instances, int n) {
    return timeDrain("worker", n, 1, () -> instances.stream().mapToLong(PeerWorker::votesPublished).sum(), () -> {});
  }

  /**
   * Items per second of a drain of {@code n}: from its 10th percentile (past start-up, group join
   * and key lookup) to its last.
   *
   * @param what names the drain in errors
   * @param done items done so far
   * @param pollMs how often {@code done} is read, ms
   * @param check throws when the drain cannot finish (a dead process)
   * @throws IllegalStateException after 10 minutes, or when {@code n} is too small to time
   */
  private static double timeDrain(String what, int n, long pollMs, java.util.function.LongSupplier done, Runnable check) {
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
      pause(pollMs);
    }
    if (from == 0) {
      throw new IllegalStateException(what + ": too few tasks to time (" + n + ")");
    }
    return (n - doneAtFrom) / ((System.nanoTime() - from) / 1e9);
  }

  // ---- 2-4. latency, throughput, scaling on one broker -------------------------------------

  private void network(double rssStart) throws IOException {
    Path stateDir = Files.createTempDirectory("mini-gradient-bench");
    KeyPair sealing = Sealing.generateKeyPair();
    List<PeerWorker> peers = new ArrayList<>();
    ConsensusService consensus = null;
    EmbeddedKafka kafka = EmbeddedKafka.start(1);
    try {
      KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers(), Map.of());
      TopicAdmin.ensureTopics(settings, PARTITIONS, Optional.empty(), Duration.ofSeconds(30));
      progress("network: one Kafka hop, %d round trips...", options.hopSamples());
      double[] hop = hop(settings, options.hopSamples());
      progress("network: one hop p50 %.2f ms, p99 %.2f ms; bare 3-hop pipeline...", pct(hop, 50), pct(hop, 99));
      BarePipeline.Run bareLatency;
      BarePipeline.Run bare;
      try (BarePipeline pipeline = BarePipeline.start(settings, PARTITIONS, Duration.ofSeconds(60))) {
        pipeline.run(Math.min(200, options.tasks()), options.inFlight(), Duration.ofSeconds(30)); // warm-up
        bareLatency = pipeline.run(options.latencyTasks(), 1, Duration.ofSeconds(30));
        bare = pipeline.run(Math.max(options.tasks(), 1_000), options.inFlight(), Duration.ofSeconds(30));
      }
      progress("network: bare p50 %.2f ms at 1 in flight, %.0f tasks/s at %d; 3 peers + consensus...",
          pct(bareLatency.latenciesMs(), 50), bare.perSecond(), options.inFlight());
      figures.add(Figure.atMost("latency", "bare 3-hop pipeline p50 (1 in flight)", pct(bareLatency.latenciesMs(), 50), "ms",
          "one Kafka hop p50", pct(hop, 50), Double.NaN));

      for (int i = 1; i <= 3; i++) {
        peers.add(newPeer(settings, "peer-" + i));
      }
      peers.forEach(PeerWorker::start);
      double rss3 = 0;
      double tput3 = 0;
      double inferences3 = 0;
      double cpuPerTask3 = 0;
      double p50at3 = 0;
      // the consensus app's default guarantee last: throughput and scaling run at it
      boolean defaultEos = ConsensusConfig.DEFAULT_EXACTLY_ONCE;
      List<long[]> configs = new ArrayList<>(); // {commit interval ms, exactly-once 1/0}
      if (!options.quick()) {
        configs.add(new long[] {100, defaultEos ? 0 : 1});
        configs.add(new long[] {10, 1});
      } else {
        notes.add("--quick: latency and throughput measured at the consensus app's default settings only (the full run adds the other guarantee and "
            + "exactly_once_v2 at 10 ms commits).");
      }
      configs.add(new long[] {100, defaultEos ? 1 : 0});
      for (int k = 0; k < configs.size(); k++) {
        long[] c = configs.get(k);
        boolean isDefault = k == configs.size() - 1;
        consensus = restart(consensus, settings, stateDir, sealing, c[0], c[1] == 1, peers);
        if (k == 0) {
          WarmUp warm = untilJitQuiet(() -> throughput(settings, peers.size()));
          progress("network: warmed up in %d untimed throughput runs", warm.passes());
          notes.add("network: " + warm.note("throughput run(s)"));
        }
        String label = (c[1] == 1 ? "exactly_once_v2, commit " + c[0] + " ms" : "at_least_once");
        long[] lat = latency(settings);
        figures.add(Figure.atMost("latency", "3 peers, " + label + ": p50", lat[0], "ms", "one Kafka hop p50", pct(hop, 50), 10));
        figures.add(Figure.atMost("latency", "3 peers, " + label + ": p99", lat[1], "ms", "one Kafka hop p99", pct(hop, 99), Double.NaN));
        progress("network: %s: p50 %d ms, p99 %d ms; throughput...", label, lat[0], lat[1]);
        BrokerFootprint before = isDefault ? BrokerFootprint.take(settings) : null;
        Run run = throughput(settings, peers.size());
        if (isDefault) {
          pause(1_000); // the last tasks' settlements and ledger updates
          BrokerFootprint.Report writes = BrokerFootprint.take(settings).report(before, run.decided(), averageInputBytes());
          figures.addAll(writes.figures("throughput", "3 peers, k = " + SEATS + ", " + label));
          notes.add(writes.note("throughput"));
        }
        double tput = run.perSecond();
        String name = "3 peers, k = " + SEATS + ", " + label + ", " + options.inFlight() + " in flight";
        // the goals apply to the default settings, what a network runs
        figures.add(Figure.atLeast("throughput", name, tput, "tasks/s", "bare 3-hop pipeline peak", bare.perSecond(),
            isDefault ? 0.25 : Double.NaN));
        progress("network: %s: %.0f tasks/s", label, tput);
        if (isDefault) {
          figures.add(Figure.atLeast("throughput", name, tput, "tasks/s", "floor", 2_000, 1.0));
          p50at3 = lat[0];
          tput3 = tput;
          inferences3 = run.counts().inferencesPerTask();
          cpuPerTask3 = 1000 * run.cpu().process() / tput;
          rss3 = BenchReport.rssMiB();
          peersCeiling("throughput", name, tput, peers.size());
          committeeFigures("throughput", name, run, peers.size());
          notes.add(String.format(Locale.ROOT, "latency: at the default settings p50 is %.1fx the bare 3-hop pipeline's (%.2f ms): the three "
              + "Kafka hops bound it; decoding, inference, signing and verifying add the rest.", lat[0] / pct(bareLatency.latenciesMs(), 50),
              pct(bareLatency.latenciesMs(), 50)));
        }
      }
      progress("network: %d peers...", options.scalePeers());
      List<PeerWorker> added = new ArrayList<>();
      for (int i = peers.size() + 1; i <= options.scalePeers(); i++) {
        added.add(newPeer(settings, "peer-" + i));
      }
      added.forEach(PeerWorker::start);
      peers.addAll(added);
      awaitReady(consensus, peers, Duration.ofSeconds(120));
      // newcomers are capped in draw weight and audited at 20%: time an established network
      Set<String> ids = new LinkedHashSet<>();
      peers.forEach(p -> ids.add(p.peerId()));
      Probation.Served warm = Probation.serve(settings, model.modelId(), inputs, ids, SEATS, options.inFlight(),
          Duration.ofSeconds(options.quick() ? 60 : 180), 0);
      progress("network: %d peers warmed up (%d tasks, %.0f s)...", peers.size(), warm.tasks(), warm.seconds());
      notes.add("scaling: before the " + peers.size() + "-peer figures, " + warm.note() + ".");
      double firstWeight = 0;
      double allWeight = 0;
      for (int i = 0; i < peers.size(); i++) {
        double w = warm.weights().getOrDefault(peers.get(i).peerId(), 0.0);
        allWeight += w;
        firstWeight += i < 3 ? w : 0;
      }
      notes.add(String.format(Locale.ROOT, "scaling: in the roster in effect then, the 3 first peers held %.1f%% of the draw weight and "
          + "the %d that joined %.1f%%: weight is stake x reputation, and the first peers' stake holds the rewards of every task "
          + "they served before the others joined (a newcomer's stake is its bond, %.0f at most), so the draw seats them far more "
          + "often (the busiest peer's share below); the network's work does not spread over the new peers.",
          100 * firstWeight / allWeight, peers.size() - 3, 100 * (allWeight - firstWeight) / allWeight, ReputationRules.MAX_BOND));
      long[] lat = latency(settings);
      Run run = throughput(settings, peers.size());
      double tput = run.perSecond();
      double rssEnd = BenchReport.rssMiB();
      progress("network: %d peers: p50 %d ms, %.0f tasks/s", peers.size(), lat[0], tput);
      String n = peers.size() + " peers, k = " + SEATS;
      String three = "3 peers, k = " + SEATS;
      figures.add(Figure.atMost("scaling", n + ": latency p50 (1 in flight)", lat[0], "ms", three, p50at3, 1.5));
      figures.add(Figure.atLeast("scaling", n + ": throughput", tput, "tasks/s", three, tput3, 0.9));
      peersCeiling("scaling", n + ": throughput", tput, peers.size());
      committeeFigures("scaling", n, run, peers.size());
      double inferences = run.counts().inferencesPerTask();
      figures.add(Figure.atLeast("scaling", n + ": model runs/s (tasks/s x inferences per task)", tput * inferences, "inferences/s",
          three, tput3 * inferences3, Double.NaN));
      double cpuPerTask = 1000 * run.cpu().process() / tput;
      figures.add(Figure.atMost("scaling", n + ": this process's CPU per task", cpuPerTask, "ms", three, cpuPerTask3, Double.NaN));
      notes.add(String.format(Locale.ROOT, "scaling: the network and the requester share this machine's cores (the machine was %.2f of %d "
          + "cores busy during the %d-peer run, this process %.2f), so tasks/s follows CPU per task: %.2f ms with %d peers against "
          + "%.2f with 3, %.3f ms more per added peer, though a task runs the model on fewer peers (%.2f against %.2f). An "
          + "unseated peer still fetches every task, commits its offsets, peeks at it and draws its committee; at equal CPU the "
          + "%d peers would reach %.2f of the 3 peers' tasks/s.", run.cpu().machine(), run.cpu().cores(), peers.size(),
          run.cpu().process(), cpuPerTask, peers.size(), cpuPerTask3, (cpuPerTask - cpuPerTask3) / (peers.size() - 3), inferences,
          inferences3, peers.size(), cpuPerTask3 / cpuPerTask));
      figures.add(Figure.atMost("scaling", "process RSS with 3 peers running", rss3, "MiB", "RSS at bench start", rssStart, Double.NaN));
      figures.add(Figure.atMost("scaling", "process RSS with " + n + " running", rssEnd, "MiB", "RSS with 3 peers", rss3, Double.NaN));
      notes.add("Memory is the whole process's resident set (/proc/self/status VmRSS): broker, Streams, peers and ONNX Runtime "
          + "share one JVM and one heap, so no per-component figure is given.");
    } finally {
      // clients first, while the broker still answers
      for (PeerWorker p : peers) {
        p.close();
      }
      if (consensus != null) {
        consensus.close();
      }
      kafka.close();
      EmbeddedKafka.deleteTree(stateDir);
    }
  }

  /**
   * When section 1 ran: the figure against the most tasks/s the machine could give if every core
   * did nothing but the peers' work (each seated peer decodes, infers, hashes, signs and seals its
   * task at the raw loop's rate: min(k, peers) of them per task), and a note on what bounds it.
   */
  private void peersCeiling(String section, String name, double tasksPerSecond, int peerCount) {
    if (Double.isNaN(rawFullRate)) {
      return;
    }
    int cores = Runtime.getRuntime().availableProcessors();
    int runs = Math.min(SEATS, peerCount);
    double ceiling = cores * rawFullRate / runs;
    figures.add(Figure.atLeast(section, name, tasksPerSecond, "tasks/s",
        "CPU ceiling of the peers' work alone (" + cores + " cores x raw loop with signing / " + runs + " inferences per task)", ceiling,
        Double.NaN));
    notes.add(String.format(Locale.ROOT, "%s: with committees of k = %d seats a task costs min(k, peers) = %d inferences (every peer "
        + "serves every task only while peers <= k), so with %d peers the peers' work alone (%.2f ms of a core per task) caps %d "
        + "cores at %.0f tasks/s; %.0f were decided, %.0f%% of that: the consensus app, the broker, the clients' network "
        + "threads and every peer's reading of every task (an unseated peer still fetches it, peeks at it and draws its "
        + "committee) take the rest of the CPU.", section, SEATS, runs, peerCount, 1000.0 * runs / rawFullRate, cores, ceiling,
        tasksPerSecond, 100 * tasksPerSecond / ceiling));
  }

  /**
   * The committees' figures of a throughput run: model runs and escalations per task, (beyond k
   * peers) the busiest peer's share of the seats, and the consensus app's stream thread's CPU,
   * with a note on the escalations and where the CPU went.
   */
  private void committeeFigures(String section, String name, Run run, int peerCount) {
    CommitteeCounts c = run.counts();
    int seats = Math.min(SEATS, peerCount);
    figures.add(Figure.atMost(section, name + ": inferences per task (seated peers + referee)", c.inferencesPerTask(), "inferences",
        "seats per task, min(k, peers)", seats, 1.1));
    figures.add(Figure.atMost(section, name + ": escalations per task", c.escalationsPerTask(), "escalations/task",
        "every task escalated", 1, Double.NaN));
    if (peerCount > SEATS) {
      figures.add(Figure.atMost(section, name + ": busiest peer's share of the seats", c.busiestShare(), "of seats",
          "fair share, 1 / peers", 1.0 / peerCount, Double.NaN));
    }
    double stream = run.cpu().streamThread();
    figures.add(Figure.atMost(section, name + ": consensus app's stream thread CPU", stream, "cores",
        "one core, the most one thread can use", 1, Double.NaN));
    notes.add(String.format(Locale.ROOT, "%s, %s: %d answers, %.3f inferences and %.4f escalations per task %s; the busiest peer "
        + "(%s) held %.1f%% of the seats. CPU during the run: %s; %.2f ms of the process's CPU per task, %.2f ms of it on the "
        + "stream thread, which decides every task in turn.", section, name, c.answers(), c.inferencesPerTask(),
        c.escalationsPerTask(), c.escalations(), c.busiest(), 100 * c.busiestShare(), run.cpu().describe(),
        1000 * run.cpu().process() / run.perSecond(), 1000 * stream / run.perSecond()));
  }

  private PeerWorker newPeer(KafkaSettings settings, String id) {
    return new PeerWorker(WorkerConfig.defaults(id, settings), List.of(model), Signatures.generateKeyPair());
  }

  /**
   * Closes the consensus app (if any) and starts it again with other timing, same id and state,
   * and the network's default committees ({@link #COMMITTEES}).
   */
  private ConsensusService restart(
      ConsensusService old, KafkaSettings settings, Path stateDir, KeyPair sealing, long commitMs, boolean eos,
      List<PeerWorker> peers) {
    if (old != null) {
      old.close();
    }
    ConsensusConfig config =
        ConsensusConfig.defaults(settings, stateDir).withCommittees(COMMITTEES).withTiming(10_000, commitMs, eos);
    ConsensusService c = new ConsensusService(config, Referee.of(List.of(model)), sealing);
    c.start();
    awaitReady(c, peers, Duration.ofSeconds(120));
    return c;
  }

  /**
   * Waits until the consensus app runs, counts every peer active, and every peer has partitions.
   *
   * @throws IllegalStateException after {@code timeout}
   */
  static void awaitReady(ConsensusService c, List<PeerWorker> peers, Duration timeout) {
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    while (!(c.state() == KafkaStreams.State.RUNNING
        && c.activePeers() >= peers.size()
        && peers.stream().allMatch(PeerWorker::isAssigned))) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("network not ready after " + timeout.toSeconds() + " s: consensus "
            + c.state() + ", active peers " + c.activePeers() + " of " + peers.size());
      }
      pause(50);
    }
  }

  /** Submit-to-answer p50 and p99 at one task in flight, after a warm-up of 10 tasks, ms. */
  private long[] latency(KafkaSettings settings) {
    try (Submitter s = new Submitter(settings, "bench", Duration.ofSeconds(10))) {
      s.submitAndAwait(tasks(10), model.modelId(), 1, Duration.ofSeconds(30), r -> {});
      List<Result> rs = s.submitAndAwait(tasks(options.latencyTasks()), model.modelId(), 1, Duration.ofSeconds(30), r -> {});
      double[] lat = decidedLatencies(rs);
      return new long[] {Math.round(pct(lat, 50)), Math.round(pct(lat, 99))};
    }
  }

  /**
   * A throughput run.
   *
   * @param perSecond decided tasks/s
   * @param decided tasks decided
   * @param counts what its committees did, from its {@code Consensus} records
   * @param cpu cores busy during the run ({@link ThreadCpu})
   */
  private record Run(double perSecond, long decided, CommitteeCounts counts, ThreadCpu.Usage cpu) {}

  /** The sample images' mean size, bytes: a task's input. */
  private double averageInputBytes() {
    return images.stream().mapToInt(b -> b.length).average().orElse(0);
  }

  /** Decided tasks per second with many in flight, and the run's committees. */
  private Run throughput(KafkaSettings settings, int peerCount) {
    List<Consensus> answers = new ArrayList<>();
    try (Submitter s = new Submitter(settings, "bench", Duration.ofSeconds(10))) {
      ThreadCpu cpu0 = ThreadCpu.now();
      long t0 = System.nanoTime();
      List<Result> rs = s.submitAndAwait(tasks(options.tasks()), model.modelId(), options.inFlight(), Duration.ofSeconds(60), r -> {
        if (r.consensus() != null) {
          answers.add(r.consensus());
        }
      });
      double seconds = (System.nanoTime() - t0) / 1e9;
      ThreadCpu.Usage cpu = ThreadCpu.now().since(cpu0);
      long decided = rs.stream().filter(Result::decided).count();
      if (decided < rs.size()) {
        notes.add(String.format("throughput with %d peers: %d of %d tasks decided (the rest: %s)", peerCount, decided,
            rs.size(), rs.stream().filter(r -> !r.decided()).map(Result::status).distinct().toList()));
      }
      return new Run(decided / seconds, decided, CommitteeCounts.of(answers), cpu);
    }
  }

  private List<Input> tasks(int n) {
    List<Input> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(inputs.get(i % inputs.size()));
    }
    return out;
  }

  private static double[] decidedLatencies(List<Result> rs) {
    double[] lat = rs.stream().filter(Result::decided).mapToDouble(Result::latencyMs).sorted().toArray();
    if (lat.length == 0) {
      throw new IllegalStateException("no task decided: " + rs.get(0).status() + " " + rs.get(0).failure());
    }
    return lat;
  }

  /**
   * One Kafka hop: a producer ({@code acks=all}, no linger, 16-byte records) to a consumer on a
   * one-partition topic of the same broker, one record in flight, after 100 warm-up trips.
   *
   * @return sorted latencies, ms
   */
  private static double[] hop(KafkaSettings settings, int n) {
    BarePipeline.createTopics(settings, List.of(HOP_TOPIC), 1);
    TopicPartition tp = new TopicPartition(HOP_TOPIC, 0);
    try (KafkaProducer<String, byte[]> producer = BarePipeline.producer(settings, 0);
        KafkaConsumer<String, byte[]> consumer =
            new KafkaConsumer<>(
                settings.properties(Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")),
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new ByteArrayDeserializer())) {
      consumer.assign(List.of(tp));
      consumer.seekToEnd(List.of(tp));
      consumer.position(tp);
      int warm = 100;
      double[] lat = new double[n];
      byte[] payload = new byte[16];
      for (int i = 0; i < warm + n; i++) {
        long t0 = System.nanoTime();
        producer.send(new ProducerRecord<>(HOP_TOPIC, "k", payload));
        boolean got = false;
        long deadline = System.currentTimeMillis() + 10_000;
        while (!got) {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            got = true;
          }
          if (!got && System.currentTimeMillis() > deadline) {
            throw new IllegalStateException("one hop: no record back in 10 s");
          }
        }
        if (i >= warm) {
          lat[i - warm] = (System.nanoTime() - t0) / 1e6;
        }
      }
      java.util.Arrays.sort(lat);
      return lat;
    }
  }

  /**
   * Nearest-rank percentile.
   *
   * @param sorted ascending values
   * @param p percentile in (0,100]
   * @return the value, NaN for none
   */
  static double pct(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
  }

  /**
   * Sleeps while polling a condition.
   *
   * @param ms how long
   */
  static void pause(long ms) {
    try {
      Thread.sleep(ms); // polling a state, not waiting for a fixed time
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
