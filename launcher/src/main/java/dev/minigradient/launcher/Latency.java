package dev.minigradient.launcher;

import dev.minigradient.producer.Result;
import dev.minigradient.producer.Submitter;
import dev.minigradient.protocol.KafkaSettings;
import java.time.Duration;
import java.util.List;

/**
 * Submit-to-answer latency at one task in flight, whole milliseconds.
 *
 * @param p50 the median, ms
 * @param p99 the 99th percentile, ms
 */
record Latency(long p50, long p99) {
  /**
   * Submits the run's latency tasks one at a time, after a warm-up of 10 tasks.
   *
   * @param ctx the run (model, inputs, latency tasks)
   * @param settings the broker
   * @return p50 and p99 of the decided tasks
   * @throws IllegalStateException if no task is decided
   */
  static Latency measure(BenchContext ctx, KafkaSettings settings) {
    try (Submitter s = new Submitter(settings, "bench", Duration.ofSeconds(10))) {
      String modelId = ctx.model().modelId();
      s.submitAndAwait(ctx.tasks(10), modelId, 1, Duration.ofSeconds(30), r -> {});
      List<Result> rs =
          s.submitAndAwait(
              ctx.tasks(ctx.options().latencyTasks()), modelId, 1, Duration.ofSeconds(30), r -> {});
      double[] lat = decidedLatencies(rs);
      return new Latency(Math.round(Bench.pct(lat, 50)), Math.round(Bench.pct(lat, 99)));
    }
  }

  private static double[] decidedLatencies(List<Result> rs) {
    double[] lat =
        rs.stream().filter(Result::decided).mapToDouble(Result::latencyMs).sorted().toArray();
    if (lat.length == 0) {
      throw new IllegalStateException(
          "no task decided: " + rs.get(0).status() + " " + rs.get(0).failure());
    }
    return lat;
  }
}
