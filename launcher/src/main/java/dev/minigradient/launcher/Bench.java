package dev.minigradient.launcher;

import dev.minigradient.consensus.ConsensusConfig;
import dev.minigradient.consensus.ConsensusService;
import dev.minigradient.model.ServedModel;
import dev.minigradient.producer.Input;
import dev.minigradient.worker.PeerWorker;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Measures the network against its physical limits, each figure beside a baseline taken in the same
 * run, on the same images and machine:
 *
 * <ol>
 *   <li>worker: one honest {@link PeerWorker} draining pre-published tasks, against the same work
 *       (decode, preprocess, ONNX inference, then hash, sign, seal, serialize) in a plain loop;
 *   <li>latency: submit-to-answer at one task in flight with 3 peers (at-least-once, the default,
 *       and exactly-once at two commit intervals), against one Kafka hop on the same broker;
 *   <li>throughput: tasks/s with many in flight, against {@link BarePipeline} (the same three hops
 *       with nothing in them);
 *   <li>scaling: 3 against 15 peers, both at the network's default committee of k = 3 seats per
 *       task, and the process's resident memory;
 *   <li>scale: networks of 3 to 60 peers whose inference takes a fixed wall time on no core,
 *       against linear scaling ({@link ScaleModel}).
 * </ol>
 *
 * <p>This class runs the sections in turn ({@link WorkerSection}, {@link NetworkSection}, {@link
 * ConsensusStage}, {@link ScaleModel}) and gathers their figures and notes into one report.
 */
public final class Bench {
  /** Partitions per topic on every section's broker. */
  static final int PARTITIONS = 3;

  /** The consensus app's committee settings in every network run: the network's defaults. */
  static final ConsensusConfig.Committees COMMITTEES = ConsensusConfig.Committees.DEFAULTS;

  /** Seats per task, k. */
  static final int SEATS = COMMITTEES.redundancy();

  private Bench() {}

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
      boolean quick,
      int tasks,
      int workerTasks,
      int latencyTasks,
      int hopSamples,
      int inFlight,
      int scalePeers,
      Set<String> sections) {
    /** Every section, the default. */
    public static final Set<String> ALL_SECTIONS =
        Set.of(
            "worker", ModelsSection.SECTION, "network", ConsensusStage.SECTION, ScaleModel.SECTION);

    /** Validates counts and section names. */
    public Options {
      if (tasks < 1
          || workerTasks < 1
          || latencyTasks < 1
          || hopSamples < 1
          || inFlight < 1
          || scalePeers < 3) {
        throw new IllegalArgumentException("counts must be >= 1 (scale peers >= 3)");
      }
      if (sections.isEmpty() || !ALL_SECTIONS.containsAll(sections)) {
        throw new IllegalArgumentException(
            "sections must be among " + new TreeSet<>(ALL_SECTIONS) + ", got " + sections);
      }
      sections = Set.copyOf(sections);
    }

    /**
     * The same options for some sections only.
     *
     * @param only section names, among {@link #ALL_SECTIONS}
     * @return the options
     * @throws IllegalArgumentException for an unknown name or none
     */
    public Options only(Set<String> only) {
      return new Options(
          quick, tasks, workerTasks, latencyTasks, hopSamples, inFlight, scalePeers, only);
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
      return new Options(
          quick,
          tasks != null ? tasks : quick ? 300 : 3_000,
          tasks != null ? tasks : quick ? 300 : 10_000,
          quick ? 25 : 200,
          quick ? 300 : 2_000,
          256,
          15,
          ALL_SECTIONS);
    }
  }

  /**
   * JVM options of the separately measured {@code inference-worker} process: the heap cap that
   * {@code bin/inference-worker} and the compose file's worker service give a peer (a test keeps
   * the three alike), so its memory is a deployed peer's.
   */
  static final List<String> WORKER_JAVA_OPTIONS = List.of("-Xmx192m", "-XX:+UseSerialGC");

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
  public static BenchReport run(
      Options options, ServedModel model, String modelArg, List<Input> inputs, PrintWriter log)
      throws IOException {
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("no readable images");
    }
    long t0 = System.nanoTime();
    BenchContext ctx = new BenchContext(options, model, modelArg, inputs, log);
    double rssStart = BenchReport.rssMiB();
    // the raw loop with hash, sign and seal, votes/s on one thread; NaN unless section 1 runs
    double rawFullRate = Double.NaN;
    if (options.sections().contains("worker")) {
      rawFullRate = WorkerSection.run(ctx);
    }
    if (options.sections().contains(ModelsSection.SECTION)) {
      ModelsSection.run(ctx);
    }
    if (options.sections().contains("network")) {
      NetworkSection.run(ctx, rssStart, rawFullRate);
    }
    if (options.sections().contains(ConsensusStage.SECTION)) {
      ConsensusStage.Outcome o =
          ConsensusStage.run(
              model, ctx.images(), options.workerTasks(), PARTITIONS, log, options.quick());
      ctx.addAll(o.figures(), o.notes());
    }
    ScaleModel.Settings scale = ScaleModel.Settings.of(options.quick());
    if (options.sections().contains(ScaleModel.SECTION)) {
      ScaleModel.Outcome o = ScaleModel.run(scale, model, inputs, log);
      ctx.addAll(o.figures(), o.notes());
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
    settings.put("sections", new TreeSet<>(options.sections()));
    return new BenchReport(
        BenchReport.Machine.current(),
        settings,
        ctx.figures(),
        ctx.notes(),
        (System.nanoTime() - t0) / 1e9);
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
        throw new IllegalStateException(
            "network not ready after "
                + timeout.toSeconds()
                + " s: consensus "
                + c.state()
                + ", active peers "
                + c.activePeers()
                + " of "
                + peers.size());
      }
      pause(50);
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
