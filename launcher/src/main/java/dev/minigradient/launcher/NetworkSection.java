package dev.minigradient.launcher;

import dev.minigradient.consensus.ConsensusConfig;
import dev.minigradient.consensus.Referee;
import dev.minigradient.launcher.BenchReport.Figure;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.KeyKind;
import dev.minigradient.worker.PeerWorker;
import dev.minigradient.worker.WorkerConfig;
import java.io.IOException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench}'s sections 2-4 on one broker: latency against one {@link KafkaHop}, throughput
 * against the {@link BarePipeline}, each at every {@link Guarantee} with 3 peers, then scaling to
 * more peers ({@link ScalingSection}).
 */
final class NetworkSection {
  private NetworkSection() {}

  /**
   * Runs the sections and adds their figures and notes to the report.
   *
   * @param ctx the run
   * @param rssStart the process's resident memory at the bench's start, MiB
   * @param rawFullRate the worker section's raw loop with signing, votes/s, or NaN when it did not
   *     run
   * @throws IOException if the state folder cannot be created
   * @throws IllegalStateException if the network does not start or stops answering
   */
  static void run(BenchContext ctx, double rssStart, double rawFullRate) throws IOException {
    Bench.Options options = ctx.options();
    PeerFigures peerFigures = new PeerFigures(ctx, rawFullRate);
    KeyPair sealing = KeyKind.SEALING.generate();
    try (BenchNetwork network = BenchNetwork.start("mini-gradient-bench", Bench.PARTITIONS)) {
      KafkaSettings settings = network.settings();
      ctx.progress("network: one Kafka hop, %d round trips...", options.hopSamples());
      double[] hop = KafkaHop.measure(settings, options.hopSamples());
      ctx.progress(
          "network: one hop p50 %.2f ms, p99 %.2f ms; bare 3-hop pipeline...",
          Bench.pct(hop, 50), Bench.pct(hop, 99));
      BarePipeline.Run bareLatency;
      BarePipeline.Run bare;
      try (BarePipeline pipeline =
          BarePipeline.start(settings, Bench.PARTITIONS, Duration.ofSeconds(60))) {
        pipeline.run(
            Math.min(200, options.tasks()), options.inFlight(), Duration.ofSeconds(30)); // warm-up
        bareLatency = pipeline.run(options.latencyTasks(), 1, Duration.ofSeconds(30));
        bare =
            pipeline.run(
                Math.max(options.tasks(), 1_000), options.inFlight(), Duration.ofSeconds(30));
      }
      double bareP50 = Bench.pct(bareLatency.latenciesMs(), 50);
      ctx.progress(
          "network: bare p50 %.2f ms at 1 in flight, %.0f tasks/s at %d; 3 peers + consensus...",
          bareP50, bare.perSecond(), options.inFlight());
      ctx.figure(
          Figure.atMost(
              "latency",
              "bare 3-hop pipeline p50 (1 in flight)",
              bareP50,
              "ms",
              "one Kafka hop p50",
              Bench.pct(hop, 50),
              Double.NaN));

      List<PeerWorker> peers = network.peers();
      for (int i = 1; i <= 3; i++) {
        peers.add(newPeer(ctx, settings, "peer-" + i));
      }
      peers.forEach(PeerWorker::start);
      ScalingSection.Baseline three = null;
      List<Guarantee> guarantees = Guarantee.inOrder(options.quick());
      if (options.quick()) {
        ctx.note(
            "--quick: latency and throughput measured at the consensus app's default settings only (the full run adds the other guarantee and "
                + "exactly_once_v2 at 10 ms commits).");
      }
      for (int k = 0; k < guarantees.size(); k++) {
        Guarantee g = guarantees.get(k);
        boolean isDefault = k == guarantees.size() - 1;
        restart(ctx, network, sealing, g);
        if (k == 0) {
          JitWarmUp warm =
              JitWarmUp.untilQuiet(
                  options.quick(), () -> ThroughputRun.measure(ctx, settings, peers.size()));
          ctx.progress("network: warmed up in %d untimed throughput runs", warm.passes());
          ctx.note("network: " + warm.note("throughput run(s)"));
        }
        String label = g.label();
        Latency lat = Latency.measure(ctx, settings);
        ctx.figure(
            Figure.atMost(
                "latency",
                "3 peers, " + label + ": p50",
                lat.p50(),
                "ms",
                "one Kafka hop p50",
                Bench.pct(hop, 50),
                10));
        ctx.figure(
            Figure.atMost(
                "latency",
                "3 peers, " + label + ": p99",
                lat.p99(),
                "ms",
                "one Kafka hop p99",
                Bench.pct(hop, 99),
                Double.NaN));
        ctx.progress(
            "network: %s: p50 %d ms, p99 %d ms; throughput...", label, lat.p50(), lat.p99());
        BrokerFootprint before = isDefault ? BrokerFootprint.take(settings) : null;
        ThroughputRun run = ThroughputRun.measure(ctx, settings, peers.size());
        if (isDefault) {
          Bench.pause(1_000); // the last tasks' settlements and ledger updates
          BrokerFootprint.Report writes =
              BrokerFootprint.take(settings).report(before, run.decided(), ctx.averageInputBytes());
          ctx.addAll(
              writes.figures("throughput", "3 peers, k = " + Bench.SEATS + ", " + label),
              List.of(writes.note("throughput")));
        }
        double tput = run.perSecond();
        String name =
            "3 peers, k = " + Bench.SEATS + ", " + label + ", " + options.inFlight() + " in flight";
        // the goals apply to the default settings, what a network runs
        ctx.figure(
            Figure.atLeast(
                "throughput",
                name,
                tput,
                "tasks/s",
                "bare 3-hop pipeline peak",
                bare.perSecond(),
                isDefault ? 0.25 : Double.NaN));
        ctx.progress("network: %s: %.0f tasks/s", label, tput);
        if (isDefault) {
          ctx.figure(Figure.atLeast("throughput", name, tput, "tasks/s", "floor", 2_000, 1.0));
          three =
              new ScalingSection.Baseline(
                  lat.p50(),
                  tput,
                  run.counts().inferencesPerTask(),
                  run.cpuMsPerTask(),
                  BenchReport.rssMiB());
          peerFigures.ceiling("throughput", name, tput, peers.size());
          peerFigures.committees("throughput", name, run, peers.size());
          ctx.note(
              String.format(
                  Locale.ROOT,
                  "latency: at the default settings p50 is %.1fx the bare 3-hop pipeline's (%.2f ms): the three "
                      + "Kafka hops bound it; decoding, inference, signing and verifying add the rest.",
                  lat.p50() / bareP50,
                  bareP50));
        }
      }
      ScalingSection.run(ctx, network, three, peerFigures, rssStart);
    }
  }

  /** A peer with the default configuration serving the run's model, with a fresh key pair. */
  static PeerWorker newPeer(BenchContext ctx, KafkaSettings settings, String id) {
    return new PeerWorker(
        WorkerConfig.defaults(id, settings), List.of(ctx.model()), KeyKind.SIGNING.generate());
  }

  /**
   * Closes the consensus app (if any) and starts it again with {@code g}'s timing, same id and
   * state, and the network's default committees ({@link Bench#COMMITTEES}); waits until it is
   * ready.
   */
  private static void restart(
      BenchContext ctx, BenchNetwork network, KeyPair sealing, Guarantee g) {
    ConsensusConfig config =
        ConsensusConfig.defaults(network.settings(), network.stateDir())
            .withCommittees(Bench.COMMITTEES)
            .withTiming(10_000, g.commitMs(), g.exactlyOnce());
    network.startConsensus(config, Referee.of(List.of(ctx.model())), sealing);
    Bench.awaitReady(network.consensus(), network.peers(), Duration.ofSeconds(120));
  }
}
