package dev.minigradient.launcher;

import dev.minigradient.consensus.ReputationRules;
import dev.minigradient.launcher.BenchReport.Figure;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.worker.PeerWorker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code bench}'s section 4, scaling: more peers join the network section's 3, and latency,
 * throughput, CPU and memory are measured again against the 3 peers' figures.
 */
final class ScalingSection {
  private ScalingSection() {}

  /**
   * The 3 peers' figures at the consensus app's default settings, the scaling section's baselines.
   *
   * @param p50Ms submit-to-answer p50, ms
   * @param tasksPerSecond throughput, decided tasks/s
   * @param inferencesPerTask model runs per task
   * @param cpuMsPerTask this process's CPU per decided task, ms
   * @param rssMiB the process's resident memory, MiB
   */
  record Baseline(
      double p50Ms,
      double tasksPerSecond,
      double inferencesPerTask,
      double cpuMsPerTask,
      double rssMiB) {}

  /**
   * Adds peers up to the run's scale peers, warms them up past their probation, measures and adds
   * the section's figures and notes to the report.
   *
   * @param ctx the run
   * @param network the network section's network, its consensus app running at the default settings
   * @param three the 3 peers' figures
   * @param peerFigures the shared ceiling and committee figures
   * @param rssStart the process's resident memory at the bench's start, MiB
   * @throws IllegalStateException if the peers do not join or the network stops answering
   */
  static void run(
      BenchContext ctx,
      BenchNetwork network,
      Baseline three,
      PeerFigures peerFigures,
      double rssStart) {
    Bench.Options options = ctx.options();
    KafkaSettings settings = network.settings();
    List<PeerWorker> peers = network.peers();
    ctx.progress("network: %d peers...", options.scalePeers());
    List<PeerWorker> added = new ArrayList<>();
    for (int i = peers.size() + 1; i <= options.scalePeers(); i++) {
      added.add(NetworkSection.newPeer(ctx, settings, "peer-" + i));
    }
    added.forEach(PeerWorker::start);
    peers.addAll(added);
    Bench.awaitReady(network.consensus(), peers, Duration.ofSeconds(120));
    // newcomers are capped in draw weight and audited at 20%: time an established network
    Set<String> ids = new LinkedHashSet<>();
    peers.forEach(p -> ids.add(p.peerId()));
    Probation.Served warm =
        Probation.serve(
            settings,
            ctx.model().modelId(),
            ctx.inputs(),
            ids,
            Bench.SEATS,
            options.inFlight(),
            Duration.ofSeconds(options.quick() ? 60 : 180),
            0);
    ctx.progress(
        "network: %d peers warmed up (%d tasks, %.0f s)...",
        peers.size(), warm.tasks(), warm.seconds());
    ctx.note("scaling: before the " + peers.size() + "-peer figures, " + warm.note() + ".");
    noteDrawWeights(ctx, warm, peers);
    Latency lat = Latency.measure(ctx, settings);
    ThroughputRun run = ThroughputRun.measure(ctx, settings, peers.size());
    double tput = run.perSecond();
    double rssEnd = BenchReport.rssMiB();
    ctx.progress("network: %d peers: p50 %d ms, %.0f tasks/s", peers.size(), lat.p50(), tput);
    String n = peers.size() + " peers, k = " + Bench.SEATS;
    String base = "3 peers, k = " + Bench.SEATS;
    ctx.figure(
        Figure.atMost(
            "scaling",
            n + ": latency p50 (1 in flight)",
            lat.p50(),
            "ms",
            base,
            three.p50Ms(),
            1.5));
    ctx.figure(
        Figure.atLeast(
            "scaling", n + ": throughput", tput, "tasks/s", base, three.tasksPerSecond(), 0.9));
    peerFigures.ceiling("scaling", n + ": throughput", tput, peers.size());
    peerFigures.committees("scaling", n, run, peers.size());
    double inferences = run.counts().inferencesPerTask();
    ctx.figure(
        Figure.atLeast(
            "scaling",
            n + ": model runs/s (tasks/s x inferences per task)",
            tput * inferences,
            "inferences/s",
            base,
            three.tasksPerSecond() * three.inferencesPerTask(),
            Double.NaN));
    double cpuPerTask = run.cpuMsPerTask();
    ctx.figure(
        Figure.atMost(
            "scaling",
            n + ": this process's CPU per task",
            cpuPerTask,
            "ms",
            base,
            three.cpuMsPerTask(),
            Double.NaN));
    ctx.note(
        String.format(
            Locale.ROOT,
            "scaling: the network and the requester share this machine's cores (the machine was %.2f of %d "
                + "cores busy during the %d-peer run, this process %.2f), so tasks/s follows CPU per task: %.2f ms with %d peers against "
                + "%.2f with 3, %.3f ms more per added peer, though a task runs the model on fewer peers (%.2f against %.2f). An "
                + "unseated peer still fetches every task, commits its offsets, peeks at it and draws its committee; at equal CPU the "
                + "%d peers would reach %.2f of the 3 peers' tasks/s.",
            run.cpu().machine(),
            run.cpu().cores(),
            peers.size(),
            run.cpu().process(),
            cpuPerTask,
            peers.size(),
            three.cpuMsPerTask(),
            (cpuPerTask - three.cpuMsPerTask()) / (peers.size() - 3),
            inferences,
            three.inferencesPerTask(),
            peers.size(),
            three.cpuMsPerTask() / cpuPerTask));
    ctx.figure(
        Figure.atMost(
            "scaling",
            "process RSS with 3 peers running",
            three.rssMiB(),
            "MiB",
            "RSS at bench start",
            rssStart,
            Double.NaN));
    ctx.figure(
        Figure.atMost(
            "scaling",
            "process RSS with " + n + " running",
            rssEnd,
            "MiB",
            "RSS with 3 peers",
            three.rssMiB(),
            Double.NaN));
    ctx.note(
        "Memory is the whole process's resident set (/proc/self/status VmRSS): broker, Streams, peers and ONNX Runtime "
            + "share one JVM and one heap, so no per-component figure is given.");
  }

  /**
   * Notes how the roster in effect after the warm-up split the draw weight between the first 3
   * peers and the rest.
   */
  private static void noteDrawWeights(
      BenchContext ctx, Probation.Served warm, List<PeerWorker> peers) {
    double firstWeight = 0;
    double allWeight = 0;
    for (int i = 0; i < peers.size(); i++) {
      double w = warm.weights().getOrDefault(peers.get(i).peerId(), 0.0);
      allWeight += w;
      firstWeight += i < 3 ? w : 0;
    }
    ctx.note(
        String.format(
            Locale.ROOT,
            "scaling: in the roster in effect then, the 3 first peers held %.1f%% of the draw weight and "
                + "the %d that joined %.1f%%: weight is stake x reputation, and the first peers' stake holds the rewards of every task "
                + "they served before the others joined (a newcomer's stake is its bond, %.0f at most), so the draw seats them far more "
                + "often (the busiest peer's share below); the network's work does not spread over the new peers.",
            100 * firstWeight / allWeight,
            peers.size() - 3,
            100 * (allWeight - firstWeight) / allWeight,
            ReputationRules.MAX_BOND));
  }
}
