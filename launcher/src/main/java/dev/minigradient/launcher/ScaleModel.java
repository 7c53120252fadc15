package dev.minigradient.launcher;

import dev.minigradient.consensus.ConsensusConfig;
import dev.minigradient.consensus.ConsensusService;
import dev.minigradient.consensus.Referee;
import dev.minigradient.launcher.BenchReport.Figure;
import dev.minigradient.model.ServedModel;
import dev.minigradient.producer.Input;
import dev.minigradient.producer.Result;
import dev.minigradient.producer.Submitter;
import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.KeyKind;
import dev.minigradient.worker.PeerWorker;
import dev.minigradient.worker.WorkerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code bench}'s scale model: does a network's capacity grow with its peers once committees seat k
 * of them per task? Its peers run {@link FixedTimeEngine}: the real model's answers after a fixed
 * wall time on no core, as if each peer had a machine of its own, so throughput is bound by the
 * peers and not by this machine's cores. One broker and one consensus app (default settings, k = 3)
 * serve networks of 3, 12, 30 and 60 such peers in turn; each is warmed up until every peer is
 * established ({@link Probation}), then timed against linear scaling: N / k times one peer's rate.
 */
final class ScaleModel {
  /** Section name in the report and in {@code --only}. */
  static final String SECTION = "scale";

  /**
   * Wall time of one inference, ms: one peer serves at most 6.67 seats/s, 60 peers at k = 3 at most
   * 133 tasks/s, under half of what this pipeline decides on 2 cores with 3 peers (about 300
   * tasks/s); every added peer still reads every task, so 60 peers take most of 2 cores at that
   * rate (the section's notes give the CPU per task).
   */
  static final long INFERENCE_MS = 150;

  /**
   * Tasks in flight per peer: 2 x N tasks queue 6 seats (0.9 s of work) per peer at k = 3, enough
   * to keep nearly every peer busy; at 4 x N the queue (1.8 s) reaches the committees' 2 s seat
   * timeout, and escalated tasks free their slots while their seats still queue.
   */
  static final int IN_FLIGHT_PER_PEER = 2;

  private static final int PARTITIONS = 3;

  private ScaleModel() {}

  /**
   * What to run.
   *
   * @param peerCounts the network sizes, in order
   * @param steadySeconds about how long each timed run lasts at linear speed, s
   * @param minTasks the fewest tasks of a timed run
   * @param warmUpLimit the longest warm-up of one network size
   */
  record Settings(
      List<Integer> peerCounts, double steadySeconds, int minTasks, Duration warmUpLimit) {
    /**
     * The defaults: 3, 12, 30 and 60 peers, 25 s a point (6 s with {@code --quick}).
     *
     * @param quick the CI smoke's shorter runs
     * @return the settings
     */
    static Settings of(boolean quick) {
      return quick
          ? new Settings(List.of(3, 12, 30, 60), 6, 40, Duration.ofSeconds(60))
          : new Settings(List.of(3, 12, 30, 60), 25, 150, Duration.ofSeconds(120));
    }

    /** Tasks of the timed run for {@code peers} at {@code k} seats. */
    int tasks(int peers, int k) {
      return (int) Math.max(minTasks, Math.round(steadySeconds * linear(peers, k)));
    }

    /** The settings for the report. */
    Map<String, Object> describe() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("peers", peerCounts);
      m.put("inference_ms", INFERENCE_MS);
      m.put("in_flight_per_peer", IN_FLIGHT_PER_PEER);
      m.put("steady_seconds", steadySeconds);
      return m;
    }
  }

  /**
   * The section's figures and notes.
   *
   * @param figures the figures, section {@link #SECTION}
   * @param notes what bounds them, and how they were taken
   */
  record Outcome(List<Figure> figures, List<String> notes) {}

  /** Tasks/s of N peers at k seats if every peer served seats without pause. */
  static double linear(int peers, int k) {
    return peers / (double) Math.min(k, peers) * 1000.0 / INFERENCE_MS;
  }

  /**
   * Measures every network size.
   *
   * @param settings what to run
   * @param model the real model (the referee runs it; the peers wrap it in a {@link
   *     FixedTimeEngine}); not closed here
   * @param inputs readable sample images
   * @param log progress lines
   * @return the figures and notes
   * @throws IOException if a state folder cannot be created
   * @throws IllegalStateException if the network does not start or stops answering
   */
  static Outcome run(Settings settings, ServedModel model, List<Input> inputs, PrintWriter log)
      throws IOException {
    ConsensusConfig.Committees committees = ConsensusConfig.Committees.DEFAULTS;
    int k = committees.redundancy();
    ServedModel timed = FixedTimeEngine.serving(model, Duration.ofMillis(INFERENCE_MS));
    FixedTimeEngine engine = (FixedTimeEngine) timed.engine();
    List<Figure> figures = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    try (BenchNetwork network = BenchNetwork.start("mini-gradient-bench-scale", PARTITIONS)) {
      KafkaSettings kafkaSettings = network.settings();
      ConsensusConfig config =
          ConsensusConfig.defaults(kafkaSettings, network.stateDir()).withCommittees(committees);
      ConsensusService consensus =
          network.startConsensus(config, Referee.of(List.of(model)), KeyKind.SEALING.generate());
      List<PeerWorker> peers = network.peers();
      int taskOffset = 0;
      for (int n : settings.peerCounts()) {
        // a fresh network of n peers: the previous one leaves (see the note on stakes below)
        for (PeerWorker p : peers) {
          p.close();
        }
        peers.clear();
        for (int i = 1; i <= n; i++) {
          peers.add(
              new PeerWorker(
                  WorkerConfig.defaults("scale-" + n + "-" + i, kafkaSettings),
                  List.of(timed),
                  KeyKind.SIGNING.generate()));
        }
        peers.forEach(PeerWorker::start);
        Bench.awaitReady(consensus, peers, Duration.ofSeconds(120));
        Set<String> ids = new LinkedHashSet<>();
        peers.forEach(p -> ids.add(p.peerId()));
        progress(log, "scale: %d peers started; warming up...", n);
        Probation.Served warm =
            Probation.serve(
                kafkaSettings,
                model.modelId(),
                inputs,
                ids,
                k,
                IN_FLIGHT_PER_PEER * n,
                settings.warmUpLimit(),
                0.5);
        taskOffset += warm.tasks();
        int tasks = settings.tasks(n, k);
        progress(
            log,
            "scale: %d peers warmed up (%d tasks, %.0f s); %d timed tasks...",
            n,
            warm.tasks(),
            warm.seconds(),
            tasks);
        Point p =
            time(
                kafkaSettings,
                model.modelId(),
                Probation.cycle(inputs, taskOffset, tasks),
                IN_FLIGHT_PER_PEER * n,
                peers);
        taskOffset += tasks;
        double linear = linear(n, k);
        progress(
            log,
            "scale: %d peers: %.1f tasks/s (linear %.1f), %.2f inferences/task, CPU %.2f cores",
            n,
            p.perSecond(),
            linear,
            p.inferencesPerTask(),
            p.processCores());
        String name = n + " peers, k = " + k;
        figures.add(
            Figure.atLeast(
                SECTION,
                name + ": tasks/s, " + IN_FLIGHT_PER_PEER + " x peers in flight",
                p.perSecond(),
                "tasks/s",
                String.format(
                    Locale.ROOT,
                    "linear: %d / %d x one peer's %.2f tasks/s",
                    n,
                    Math.min(k, n),
                    1000.0 / INFERENCE_MS),
                linear,
                0.8));
        figures.add(
            Figure.atMost(
                SECTION,
                name + ": inferences per task",
                p.inferencesPerTask(),
                "inferences",
                "seats per task (k)",
                Math.min(k, n),
                1.1));
        figures.add(
            Figure.atMost(
                SECTION,
                name + ": process CPU during the timed run",
                p.processCores(),
                "cores",
                "cores available",
                Runtime.getRuntime().availableProcessors(),
                Double.NaN));
        double perPeer = 1000.0 / INFERENCE_MS;
        notes.add(
            String.format(
                Locale.ROOT,
                "scale, %d peers: warm-up: %s. Timed: %d tasks, %d decided, p50 %.0f ms (%.1fx one "
                    + "inference: seats queue at the peers); the peers voted %.1f times/s, %.0f%% of the %.1f they could (N x %.2f), the "
                    + "rest being idle time of peers whose queue ran empty while others' did not; %.3f escalations per task %s; the "
                    + "busiest peer held %.1f%% of the seats (fair share %.1f%%). CPU: %s; %.2f ms of this process's CPU per decided task, "
                    + "so %.2f cores at the linear rate.",
                n,
                warm.note(),
                tasks,
                p.decided(),
                p.p50Ms(),
                p.p50Ms() / INFERENCE_MS,
                p.votesPerSecond(),
                100 * p.votesPerSecond() / (n * perPeer),
                n * perPeer,
                perPeer,
                p.escalationsPerTask(),
                p.escalations(),
                100 * p.busiestShare(),
                100.0 / n,
                p.cpu().describe(),
                p.cpuMsPerTask(),
                p.cpuMsPerTask() * linear / 1000));
      }
      notes.add(
          String.format(
              Locale.ROOT,
              "scale: the peers run the real model's answers (cached per preprocessed input: the real "
                  + "model ran %d times) after a fixed %d ms of wall time on no core, so one peer serves at most %.2f seats/s and N peers "
                  + "at k = %d at most N/%d of that in tasks/s, whatever the cores; decoding, signing, Kafka and the consensus app still "
                  + "run here, and every peer still reads every task. Each size is a fresh set of peers on the same broker and consensus "
                  + "app (the previous set leaves): draw weights are stake x reputation and rewards add to stake, so peers that joined "
                  + "earlier would hold more seats than the newest (see the scaling section's busiest-peer share). %d x N tasks in "
                  + "flight; tasks/s counted between the 10th and 90th percentile of answers (steady state). A task whose seat is silent "
                  + "for %d s is escalated and decided by the referee while that seat's work still waits in its queue (its vote is then "
                  + "LATE), so it counts as decided; the peers' votes/s is the work done. Inferences per task count a peer holding two "
                  + "seats of a task once (it runs the model once), plus the referee's run of audited and escalated tasks.",
              engine.realRuns(),
              INFERENCE_MS,
              1000.0 / INFERENCE_MS,
              k,
              k,
              IN_FLIGHT_PER_PEER,
              committees.seatTimeoutMs() / 1000));
    }
    return new Outcome(figures, notes);
  }

  private static void progress(PrintWriter log, String format, Object... args) {
    log.printf(format + "%n", args);
    log.flush();
  }

  /**
   * One timed run.
   *
   * @param perSecond decided tasks/s between the 10th and 90th percentile of answers
   * @param votesPerSecond the peers' votes/s over the same span: model runs done (a peer holding
   *     two seats of a task runs it once)
   * @param decided tasks decided
   * @param p50Ms submit-to-answer p50 of the decided tasks, ms
   * @param inferencesPerTask mean {@link Consensus#inferences()} over the answers
   * @param escalationsPerTask escalated answers over answers
   * @param escalations escalated answers by reason
   * @param busiestShare the largest share of the seats one peer held
   * @param cpu cores busy during the run ({@link ThreadCpu})
   * @param cpuMsPerTask this process's CPU time per decided task, ms
   */
  record Point(
      double perSecond,
      double votesPerSecond,
      long decided,
      double p50Ms,
      double inferencesPerTask,
      double escalationsPerTask,
      Map<String, Integer> escalations,
      double busiestShare,
      ThreadCpu.Usage cpu,
      double cpuMsPerTask) {
    /** This process's cores busy. */
    double processCores() {
      return cpu.process();
    }
  }

  private static Point time(
      KafkaSettings kafka,
      String modelId,
      List<Input> tasks,
      int inFlight,
      List<PeerWorker> peers) {
    List<Result> results = new ArrayList<>();
    List<Long> doneAt = new ArrayList<>(); // onResult runs on this thread
    List<Long> votesAt = new ArrayList<>();
    ThreadCpu cpu0 = ThreadCpu.now();
    long t0 = System.nanoTime();
    try (Submitter s = new Submitter(kafka, "bench-scale", Duration.ofSeconds(10))) {
      s.submitAndAwait(
          tasks,
          modelId,
          inFlight,
          Duration.ofSeconds(60),
          r -> {
            results.add(r);
            doneAt.add(System.nanoTime());
            votesAt.add(peers.stream().mapToLong(PeerWorker::votesPublished).sum());
          });
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    ThreadCpu.Usage cpu = ThreadCpu.now().since(cpu0);
    int n = results.size();
    int lo = n / 10;
    int hi = n * 9 / 10 - 1;
    long inWindow = 0;
    for (int i = lo + 1; i <= hi; i++) {
      if (results.get(i).decided()) {
        inWindow++;
      }
    }
    double window = hi > lo ? (doneAt.get(hi) - doneAt.get(lo)) / 1e9 : Double.NaN;
    List<Consensus> answers =
        results.stream().map(Result::consensus).filter(c -> c != null).toList();
    long decided = results.stream().filter(Result::decided).count();
    if (decided == 0) {
      throw new IllegalStateException(
          "scale: no task decided: " + results.get(0).status() + " " + results.get(0).failure());
    }
    double[] lat =
        results.stream().filter(Result::decided).mapToDouble(Result::latencyMs).sorted().toArray();
    CommitteeCounts c = CommitteeCounts.of(answers);
    return new Point(
        inWindow / window,
        (votesAt.get(hi) - votesAt.get(lo)) / window,
        decided,
        Bench.pct(lat, 50),
        c.inferencesPerTask(),
        c.escalationsPerTask(),
        c.escalations(),
        c.busiestShare(),
        cpu,
        cpu.process() * wall * 1000 / decided);
  }
}
