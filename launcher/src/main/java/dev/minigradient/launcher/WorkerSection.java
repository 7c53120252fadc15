package dev.minigradient.launcher;

import dev.minigradient.launcher.BenchReport.Figure;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.KeyKind;
import dev.minigradient.protocol.TopicAdmin;
import dev.minigradient.worker.PeerWorker;
import dev.minigradient.worker.WorkerConfig;
import java.io.IOException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code bench}'s section 1, worker: one honest {@link PeerWorker} draining pre-published tasks,
 * against the same work in a {@link RawLoop}; two instances of one peer; and one peer in its own
 * process ({@link WorkerProcess}), whose peak memory is the worker's memory figure.
 */
final class WorkerSection {
  /** The measured peer's id (its votes' peer id in the raw loop too). */
  private static final String WORKER_ID = "bench-worker";

  /** The raw loop's baseline with the peer's whole work on a vote. */
  private static final String SIGNED = "raw loop: decode + preprocess + infer + hash + sign + seal";

  /** The raw loop's baseline with inference alone. */
  private static final String INFER = "raw loop: decode + preprocess + infer";

  private WorkerSection() {}

  /**
   * Runs the section on a broker of its own and adds its figures and notes to the report.
   *
   * @param ctx the run
   * @return the raw loop with hash, sign and seal, votes/s on one thread: the peers' CPU ceiling in
   *     the network sections
   * @throws IOException if the worker process cannot be started
   * @throws IllegalStateException if the broker does not start or a drain does not finish
   */
  static double run(BenchContext ctx) throws IOException {
    int n = ctx.options().workerTasks();
    ctx.progress("worker: raw loop, %d images...", n);
    KeyPair keys = KeyKind.SIGNING.generate();
    RawLoop raw = RawLoop.measure(ctx, n, WORKER_ID, keys);
    ctx.progress(
        "worker: raw %.0f votes/s (decode+preprocess+infer), %.0f with hash+sign+seal; one peer on the broker...",
        raw.inferOnly(), raw.withSigning());
    double peer;
    double pair;
    WorkerProcess process = null;
    try (EmbeddedKafka kafka = EmbeddedKafka.start(1)) {
      KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers(), Map.of());
      TopicAdmin.ensureTopics(settings, Bench.PARTITIONS, Optional.empty(), Duration.ofSeconds(30));
      TaskBacklog.publish(ctx, settings, n, true);
      // untimed passes over the same tasks first, until the JIT has compiled the Kafka client and
      // broker paths as it has the raw loop's
      JitWarmUp warm =
          warmUp(ctx, settings, TaskBacklog.peerConfig(WORKER_ID + "-warm-up", settings), keys, n);
      ctx.progress("worker: warmed up in %d untimed drains", warm.passes());
      ctx.note("worker: " + warm.note("drain(s) of the same tasks"));
      TaskBacklog.rewindGroup(settings, WORKER_ID);
      try (PeerWorker worker =
          new PeerWorker(TaskBacklog.peerConfig(WORKER_ID, settings), List.of(ctx.model()), keys)) {
        worker.start();
        peer = TaskBacklog.drainRate(List.of(worker), n);
      }
      ctx.progress("worker: peer %.0f votes/s; two instances of one peer...", peer);
      String pairId = WORKER_ID + "-pair";
      TaskBacklog.rewindGroup(settings, pairId);
      WorkerConfig pairConfig = TaskBacklog.peerConfig(pairId, settings);
      try (PeerWorker a =
              new PeerWorker(pairConfig.withInstanceId("a"), List.of(ctx.model()), keys);
          PeerWorker b =
              new PeerWorker(pairConfig.withInstanceId("b"), List.of(ctx.model()), keys)) {
        a.start();
        b.start();
        pair = TaskBacklog.drainRate(List.of(a, b), n);
      }
      ctx.progress("worker: 2 instances %.0f votes/s; one peer in its own process...", pair);
      if (ctx.modelArg() != null) {
        process = WorkerProcess.drain(ctx, settings, WORKER_ID + "-process", n);
        ctx.progress(
            "worker: own process %.0f votes/s, peak RSS %.0f MiB",
            process.votesPerSecond(), process.peakRssMiB());
      }
    }
    addFigures(ctx, raw, peer, pair, process);
    return raw.withSigning();
  }

  /** A worker figure in votes/s whose ratio to its baseline should be at least {@code min}. */
  private static Figure votes(
      String name, double value, String baseline, double baselineValue, double min) {
    return Figure.atLeast("worker", name, value, "votes/s", baseline, baselineValue, min);
  }

  private static void addFigures(
      BenchContext ctx, RawLoop raw, double peer, double pair, WorkerProcess process) {
    ctx.note(
        String.format(
            Locale.ROOT,
            "worker: decoding, preprocessing and inference bound a peer at %.0f votes/s (%.3f ms a vote on one "
                + "thread); the peer signs, seals and sends on a second thread, so it reached %.0f%% of that.",
            raw.inferOnly(),
            1000 / raw.inferOnly(),
            100 * peer / raw.inferOnly()));
    ctx.figure(votes("1 peer draining pre-published tasks", peer, SIGNED, raw.withSigning(), 0.80));
    ctx.figure(
        votes("1 peer draining pre-published tasks", peer, INFER, raw.inferOnly(), Double.NaN));
    ctx.figure(
        votes(
            "raw loop with hash + sign + seal",
            raw.withSigning(),
            INFER,
            raw.inferOnly(),
            Double.NaN));
    ctx.figure(
        votes(
            "2 instances of one peer (one consumer group)", pair, "1 instance", peer, Double.NaN));
    if (process != null) {
      ctx.figure(
          votes(
              "1 peer in its own process (inference-worker command, cold JVM)",
              process.votesPerSecond(),
              SIGNED,
              raw.withSigning(),
              Double.NaN));
      ctx.figure(
          Figure.atMost(
              "worker",
              "inference-worker process: peak RSS (VmHWM)",
              process.peakRssMiB(),
              "MiB",
              "goal: 300 MB",
              300e6 / (1 << 20),
              1.0));
    }
  }

  /**
   * Drains the tasks with a fresh peer of {@code config}'s id until the JIT is quiet (see {@link
   * JitWarmUp#untilQuiet}).
   */
  private static JitWarmUp warmUp(
      BenchContext ctx, KafkaSettings settings, WorkerConfig config, KeyPair keys, int n) {
    return JitWarmUp.untilQuiet(
        ctx.options().quick(),
        () -> {
          TaskBacklog.rewindGroup(settings, config.peerId());
          try (PeerWorker w = new PeerWorker(config, List.of(ctx.model()), keys)) {
            w.start();
            TaskBacklog.drainRate(List.of(w), n);
          }
        });
  }
}
