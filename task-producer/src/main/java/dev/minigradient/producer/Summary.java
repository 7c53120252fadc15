package dev.minigradient.producer;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * The summary of a submission, as printed and as written by {@code --report}.
 *
 * @param tasks inputs submitted or attempted
 * @param decided inputs with a DECIDED consensus
 * @param failed inputs without one (unreadable, rejected, no quorum, timed out, no answer)
 * @param labelled inputs whose file name carries a true label
 * @param correct decided inputs whose label equals the true label
 * @param accuracy {@code correct / labelled}, or null when nothing is labelled
 * @param latencyP50Ms median latency of answered inputs, ms
 * @param latencyP99Ms 99th percentile latency (nearest rank), ms
 * @param latencyMaxMs largest latency, ms
 * @param wallMs time from the first submission to the last answer, ms
 * @param throughputPerSecond answered inputs per second of wall time
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Summary(
    int tasks,
    int decided,
    int failed,
    int labelled,
    int correct,
    Double accuracy,
    long latencyP50Ms,
    long latencyP99Ms,
    long latencyMaxMs,
    long wallMs,
    double throughputPerSecond) {

  /**
   * Summarises results.
   *
   * @param results one per input
   * @param wallMs wall time of the submission, ms
   * @return the summary
   */
  public static Summary of(List<Result> results, long wallMs) {
    int decided = 0;
    int labelled = 0;
    int correct = 0;
    for (Result r : results) {
      decided += r.decided() ? 1 : 0;
      labelled += r.input().trueLabel() != null ? 1 : 0;
      correct += r.correct() ? 1 : 0;
    }
    long[] lat =
        results.stream().mapToLong(Result::latencyMs).filter(l -> l >= 0).sorted().toArray();
    return new Summary(
        results.size(),
        decided,
        results.size() - decided,
        labelled,
        correct,
        labelled == 0 ? null : (double) correct / labelled,
        percentile(lat, 50),
        percentile(lat, 99),
        lat.length == 0 ? 0 : lat[lat.length - 1],
        wallMs,
        wallMs <= 0 ? 0 : lat.length * 1000.0 / wallMs);
  }

  /**
   * Nearest-rank percentile.
   *
   * @param sorted ascending values
   * @param p percentile in (0,100]
   * @return the value, 0 for no values
   */
  static long percentile(long[] sorted, int p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
  }

  @Override
  public String toString() {
    return String.format(
        "tasks %d, decided %d, failed %d, correct %d/%d, accuracy %s, latency p50 %d ms, p99 %d ms, max %d ms, %.1f tasks/s",
        tasks,
        decided,
        failed,
        correct,
        labelled,
        accuracy == null ? "n/a" : String.format("%.2f%%", accuracy * 100),
        latencyP50Ms,
        latencyP99Ms,
        latencyMaxMs,
        throughputPerSecond);
  }
}
