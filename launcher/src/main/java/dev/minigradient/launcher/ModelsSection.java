package dev.minigradient.launcher;

import dev.minigradient.launcher.BenchReport.Figure;
import dev.minigradient.model.ServedModel;
import dev.minigradient.producer.Input;
import dev.minigradient.producer.Submitter;
import dev.minigradient.producer.TensorInputs;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.KeyKind;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.TopicAdmin;
import dev.minigradient.worker.PeerWorker;
import dev.minigradient.worker.WorkerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code bench}'s models section: for each model of the registry (every folder beside the bench's
 * model that has a {@code model.json} and samples), one honest peer draining pre-published tasks of
 * that model against the raw loop over the same samples: how much of a model's own speed the peer
 * keeps, for images and tensors, classes and values alike; then the Open Inference Protocol
 * endpoint's latency against the task producer's ({@link V2Latency}).
 */
final class ModelsSection {
  /** The section's name, as {@code --only} takes it. */
  static final String SECTION = "models";

  private ModelsSection() {}

  /**
   * Runs the section, a broker per model, and adds its figures and notes to the report.
   *
   * @param ctx the run; its model's folder's parent is the registry
   * @throws IOException if the registry cannot be listed
   * @throws IllegalStateException if a broker does not start or a drain does not finish
   */
  static void run(BenchContext ctx) throws IOException {
    Path registry = ctx.modelArg() == null ? null : Path.of(ctx.modelArg()).getParent();
    if (registry == null || !Files.isRegularFile(Path.of(ctx.modelArg(), "model.json"))) {
      ctx.note("models: skipped, the bench's model is not a registry folder");
      return;
    }
    List<Path> dirs;
    try (Stream<Path> s = Files.list(registry)) {
      dirs =
          s.filter(d -> Files.isRegularFile(d.resolve("model.json")))
              .filter(d -> Files.isDirectory(d.resolve("samples")))
              .sorted()
              .toList();
    }
    int n = ctx.options().workerTasks();
    ModelSpec firstTensorModel = null;
    List<Input> firstTensorInputs = null;
    for (Path dir : dirs) {
      ModelSpec spec = ModelSpec.load(dir);
      ServedModel served = ServedModel.open(spec, WorkerConfig.DEFAULT_MAX_PIXELS);
      try {
        List<Input> inputs =
            Submitter.read(List.of(dir.resolve("samples"))).stream()
                .filter(i -> i.error() == null)
                .toList();
        if (spec.isTensors()) {
          inputs = TensorInputs.prepare(spec, inputs);
        }
        BenchContext model =
            new BenchContext(ctx.options(), served, dir.toString(), inputs, ctx.log());
        measure(ctx, model, spec, n);
        if (spec.isTensors() && firstTensorModel == null) {
          firstTensorModel = spec;
          firstTensorInputs = inputs;
        }
      } finally {
        served.engine().close();
      }
    }
    if (firstTensorModel != null) {
      V2Latency.run(ctx, firstTensorModel, firstTensorInputs);
    }
  }

  private static void measure(BenchContext ctx, BenchContext model, ModelSpec spec, int n) {
    String name = spec.name();
    String peerId = "bench-" + name;
    KeyPair keys = KeyKind.SIGNING.generate();
    ctx.progress("models: %s, raw loop over %d samples...", name, model.inputs().size());
    RawLoop raw = RawLoop.measure(model, n, peerId, keys);
    // a drain of about 2 s at the raw loop's rate, so a fast model's drain is long enough to time
    // (a quarter of that, at most 5,000, with --quick)
    int tasks =
        ctx.options().quick()
            ? (int) Math.max(n, Math.min(5_000, raw.withSigning() / 2))
            : (int) Math.max(n, Math.min(100_000, 2 * raw.withSigning()));
    double peer;
    try (EmbeddedKafka kafka = EmbeddedKafka.start(1)) {
      KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers(), Map.of());
      TopicAdmin.ensureTopics(settings, Bench.PARTITIONS, Optional.empty(), Duration.ofSeconds(30));
      TaskBacklog.publish(model, settings, tasks, true);
      // one untimed drain first (not with --quick), so the JIT has compiled the peer's path for
      // this model; a new peer's group starts at the end of the topic, so each is rewound to the
      // backlog's start
      if (!ctx.options().quick()) {
        TaskBacklog.rewindGroup(settings, peerId + "-warm-up");
        try (PeerWorker warm =
            new PeerWorker(
                TaskBacklog.peerConfig(peerId + "-warm-up", settings),
                List.of(model.model()),
                keys)) {
          warm.start();
          TaskBacklog.drainRate(List.of(warm), tasks);
        }
      }
      TaskBacklog.rewindGroup(settings, peerId);
      try (PeerWorker worker =
          new PeerWorker(TaskBacklog.peerConfig(peerId, settings), List.of(model.model()), keys)) {
        worker.start();
        peer = TaskBacklog.drainRate(List.of(worker), tasks);
      }
    }
    ctx.progress(
        "models: %s raw %.0f votes/s, with hash+sign+seal %.0f, 1 peer %.0f (%d tasks)",
        name, raw.inferOnly(), raw.withSigning(), peer, tasks);
    String kind =
        (spec.isTensors() ? "tensors" : "image")
            + ", agreement by "
            + spec.agreement().by().name().toLowerCase(Locale.ROOT);
    ctx.figure(
        Figure.atLeast(
            SECTION,
            name + " (" + kind + "): 1 peer draining pre-published tasks",
            peer,
            "votes/s",
            name + ": raw loop: decode + infer + hash + sign + seal",
            raw.withSigning(),
            Double.NaN));
    ctx.figure(
        Figure.atLeast(
            SECTION,
            name + ": raw loop with hash + sign + seal",
            raw.withSigning(),
            "votes/s",
            name + ": raw loop: decode + infer",
            raw.inferOnly(),
            Double.NaN));
  }
}
