package dev.minigradient.launcher;

import dev.minigradient.producer.Result;
import dev.minigradient.producer.Submitter;
import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A throughput run: the run's tasks submitted with many in flight.
 *
 * @param perSecond decided tasks/s
 * @param decided tasks decided
 * @param counts what its committees did, from its {@code Consensus} records
 * @param cpu cores busy during the run ({@link ThreadCpu})
 */
record ThroughputRun(double perSecond, long decided, CommitteeCounts counts, ThreadCpu.Usage cpu) {
  /**
   * Submits the run's throughput tasks, {@code inFlight} at a time; notes the tasks not decided.
   *
   * @param ctx the run (model, inputs, tasks and tasks in flight; gets a note if some fail)
   * @param settings the broker
   * @param peerCount the network's peers, for the note
   * @return the run
   */
  static ThroughputRun measure(BenchContext ctx, KafkaSettings settings, int peerCount) {
    List<Consensus> answers = new ArrayList<>();
    try (Submitter s = new Submitter(settings, "bench", Duration.ofSeconds(10))) {
      ThreadCpu cpu0 = ThreadCpu.now();
      long t0 = System.nanoTime();
      List<Result> rs =
          s.submitAndAwait(
              ctx.tasks(ctx.options().tasks()),
              ctx.model().modelId(),
              ctx.options().inFlight(),
              Duration.ofSeconds(60),
              r -> {
                if (r.consensus() != null) {
                  answers.add(r.consensus());
                }
              });
      double seconds = (System.nanoTime() - t0) / 1e9;
      ThreadCpu.Usage cpu = ThreadCpu.now().since(cpu0);
      long decided = rs.stream().filter(Result::decided).count();
      if (decided < rs.size()) {
        ctx.note(
            String.format(
                "throughput with %d peers: %d of %d tasks decided (the rest: %s)",
                peerCount,
                decided,
                rs.size(),
                rs.stream().filter(r -> !r.decided()).map(Result::status).distinct().toList()));
      }
      return new ThroughputRun(decided / seconds, decided, CommitteeCounts.of(answers), cpu);
    }
  }

  /** This process's CPU per decided task, ms. */
  double cpuMsPerTask() {
    return 1000 * cpu.process() / perSecond;
  }
}
