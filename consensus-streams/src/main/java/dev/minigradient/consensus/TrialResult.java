package dev.minigradient.consensus;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * What a row of the {@link CommitteeTrial} measured, over all its runs.
 *
 * @param config the row
 * @param runs independent runs (networks), each with its own seed
 * @param tasks tasks over all runs
 * @param accepted tasks decided by unanimous seats, without escalation
 * @param wrong accepted tasks whose label is not the honest model's
 * @param wrongRate 95% Wilson interval of {@code wrong / tasks}; it takes tasks as independent,
 *     which they are only while the weights stay put: with the ledger live, wrong acceptances
 *     cluster in the first rosters, before the adversaries lose their seats, so the rate shrinks as
 *     runs get longer and the count per run is the figure to read
 * @param escalations tasks the referee decided, by reason ({@code disagreement}, {@code
 *     missing-seat}, {@code audit})
 * @param audited tasks sampled for an audit
 * @param inferences model runs: votes plus referee runs (audits and escalations)
 * @param badBelowHonestAfter the latest, over the runs, task index from which every adversary's
 *     score stays below every honest peer's to the end of the run; null if that never happened in
 *     some run, or there are no adversaries or no honest peers
 * @param correctAfter the latest, over the runs, task index after the last accepted wrong decision
 *     (0 without any): from there on every decision was right
 * @param honestSlashed whether any honest peer failed an audit or was slashed, in any run
 * @param adversaryWeight the adversaries' share of the draw weight at the end, mean over runs
 */
public record TrialResult(
    CommitteeTrial.Config config,
    int runs,
    long tasks,
    long accepted,
    long wrong,
    Interval wrongRate,
    Map<String, Long> escalations,
    long audited,
    long inferences,
    Integer badBelowHonestAfter,
    int correctAfter,
    boolean honestSlashed,
    double adversaryWeight) {

  /**
   * Accepted wrong decisions per task.
   *
   * @return {@code wrong / tasks}
   */
  @JsonProperty
  public double wrongPerTask() {
    return tasks == 0 ? 0 : wrong / (double) tasks;
  }

  /**
   * Tasks the referee decided, per task.
   *
   * @return escalations over tasks
   */
  @JsonProperty
  public double escalationsPerTask() {
    long n = 0;
    for (long e : escalations.values()) {
      n += e;
    }
    return tasks == 0 ? 0 : n / (double) tasks;
  }

  /**
   * Model runs per task: votes plus referee runs.
   *
   * @return inferences over tasks
   */
  @JsonProperty
  public double inferencesPerTask() {
    return tasks == 0 ? 0 : inferences / (double) tasks;
  }

  /**
   * A two-sided confidence interval of a proportion.
   *
   * @param low lower end, in [0,1]
   * @param high upper end, in [0,1]
   */
  public record Interval(double low, double high) {
    /**
     * Whether a proportion lies in the interval.
     *
     * @param p a proportion
     * @return true if {@code low <= p <= high}
     */
    public boolean contains(double p) {
      return p >= low && p <= high;
    }
  }

  /**
   * The 95% Wilson score interval of a binomial proportion (Wilson, "Probable inference, the law of
   * succession, and statistical inference", JASA 22, 1927): unlike the normal approximation it
   * stays within [0,1] and is not empty at 0 successes.
   *
   * @param successes successes seen
   * @param trials trials, at least {@code successes}
   * @return the interval; [0,1] without trials
   */
  public static Interval wilson(long successes, long trials) {
    if (trials <= 0) {
      return new Interval(0, 1);
    }
    double z = 1.959964;
    double n = trials;
    double p = successes / n;
    double denominator = 1 + z * z / n;
    double centre = (p + z * z / (2 * n)) / denominator;
    double half = z * Math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator;
    // the ends are exactly 0 and 1 at 0 and n successes; rounding would leave 1e-19
    return new Interval(
        successes == 0 ? 0 : Math.max(0, centre - half),
        successes == trials ? 1 : Math.min(1, centre + half));
  }
}
