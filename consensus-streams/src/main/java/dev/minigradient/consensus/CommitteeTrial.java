package dev.minigradient.consensus;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.minigradient.protocol.Committee;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A deterministic, seeded trust simulation of committees at volume, without Kafka: thousands of
 * tasks through the network's own rules, to measure how often a committee accepts a wrong answer,
 * what the committees cost, and how fast adversaries lose their seats.
 *
 * <p>Each task runs the same code as the consensus app ({@link TrialRun}): a roster of every peer
 * ({@link Rosters}) weighted by {@link StakeWeights} (stake x reputation, newcomers capped) from
 * the ledger, rebuilt every {@link Config#tasksPerRoster()} tasks and, as the app publishes it, one
 * epoch ahead; seats drawn by {@link Committee#draw} over {@link Committee#seed} (the
 * stake-proportional draw of Algorand's sortition, Gilad et al., SOSP 2017, with replacement) and
 * weighed by {@link Eligibility}; the audit sample with its newcomer rate ({@link AuditSample});
 * the {@link DecisionRule}; the verdicts, audit results and reward split of {@link Verdicts} and
 * {@link RewardSplit}; and a ledger folded from the settlements with {@link LedgerReplay#apply}
 * ({@link ReputationRules}). Time is simulated: {@link Config#tasksPerRoster()} tasks per roster
 * epoch of {@link ConsensusConfig.Committees#DEFAULT_ROSTER_INTERVAL_MS} ms, a silent seat
 * escalating and settling at the {@link #DECISION_TIMEOUT_MS} deadline (the app escalates a silent
 * seat earlier, at its seat timeout, which changes latency, not any verdict counted here).
 *
 * <p><b>The model is a stand-in</b> ({@link TrialModel}): a task is a true label in 0..9 and a
 * probability vector peaked on it; an honest peer and the referee answer exactly that (a perfect,
 * deterministic model), so "wrong" means "not the honest model's answer". Adversaries are the
 * {@link Behavior}s.
 *
 * <p>Accepted wrong decisions are counted with a 95% Wilson score interval (Wilson, JASA 1927;
 * {@link TrialResult#wilson}), against the bound for unanimity of k seats drawn with replacement at
 * the initial adversary stake share f: {@code f^k x (1 - audit rate)}. {@link TrialTable} reports
 * the rows as Markdown.
 */
public final class CommitteeTrial {
  /** The deadline of a task whose seat stays silent, ms: the consensus app's default. */
  public static final long DECISION_TIMEOUT_MS = 10_000;

  /** Classes of the stand-in model. */
  public static final int LABELS = 10;

  /** Stake every peer declares, tokens: equal stakes, so the stake share is the share of peers. */
  public static final double STAKE = 100;

  /** Label a {@link Behavior#CONSTANT} peer always votes. */
  public static final int CONSTANT_LABEL = 0;

  /** The stand-in model's id. */
  static final String MODEL = "trial-model";

  /** The length of a roster epoch, ms: the consensus app's default. */
  static final long ROSTER_MS = ConsensusConfig.Committees.DEFAULT_ROSTER_INTERVAL_MS;

  private CommitteeTrial() {}

  /** How a peer answers a task. */
  public enum Behavior {
    /** Runs the model: votes the true label with the model's probabilities. */
    HONEST,
    /** Always votes {@link CommitteeTrial#CONSTANT_LABEL}, with made-up peaked probabilities. */
    CONSTANT,
    /** Votes a label of its own random choice, with made-up probabilities. */
    RANDOM,
    /** All colluders vote the same wrong label, (true + 1) mod 10, with made-up probabilities. */
    COLLUDING,
    /**
     * Would copy the others' answer, but votes are sealed until the decision: it never answers in
     * time, so its seat is missing.
     */
    COPYCAT,
    /**
     * Votes a label computed from a hash of the input instead of running the model: lazy peers
     * agree with each other, and are wrong 9 times in 10.
     */
    LAZY
  }

  /**
   * One row of the trial; the generated withers ({@code withTasks}, {@code withSeed}, ...) make a
   * row that differs in one setting.
   *
   * @param peers peers in the network, all with the same stake
   * @param adversaries how many of them behave as {@code adversary} (the others are honest)
   * @param adversary the adversaries' behaviour
   * @param seats committee seats per task, k
   * @param tasks tasks per run
   * @param auditRate fraction of tasks audited by re-execution, in [0,1]
   * @param newcomerAuditRate audit rate of a task a newcomer holds a seat on, in [0,1]
   * @param tasksPerRoster tasks per roster epoch: weights are recomputed from the ledger this often
   * @param history agreed verdicts every peer starts with (0: every peer starts as a newcomer,
   *     never judged; {@link StakeWeights#PROBATION_VERDICTS} or more: an established network whose
   *     adversaries behaved until now)
   * @param frozen when true the ledger never changes: weights stay at their initial values
   * @param seed seed of the first run; run r uses {@code seed + r}
   */
  @RecordBuilder
  public record Config(
      int peers,
      int adversaries,
      Behavior adversary,
      int seats,
      int tasks,
      double auditRate,
      double newcomerAuditRate,
      int tasksPerRoster,
      int history,
      boolean frozen,
      long seed)
      implements CommitteeTrialConfigBuilder.With {

    /** Validates the row. */
    public Config {
      Objects.requireNonNull(adversary, "adversary");
      if (peers < 1
          || adversaries < 0
          || adversaries > peers
          || seats < 1
          || tasks < 1
          || tasksPerRoster < 1
          || history < 0) {
        throw new IllegalArgumentException(
            "need peers >= 1, 0 <= adversaries <= peers, seats, tasks and tasksPerRoster >= 1, history >= 0");
      }
      if (!(auditRate >= 0 && auditRate <= 1 && newcomerAuditRate >= 0 && newcomerAuditRate <= 1)) {
        throw new IllegalArgumentException("audit rates must be in [0,1]");
      }
    }

    /**
     * A row with the defaults: 2,000 tasks, the app's audit rates (2%, 20% with a newcomer seated),
     * a roster every 10 tasks (1 s epochs of 10 tasks/s), every peer a newcomer, the ledger live,
     * seed 1.
     *
     * @param peers peers in the network
     * @param adversaries how many are adversaries
     * @param adversary their behaviour
     * @param seats seats per task
     * @return the row
     */
    public static Config of(int peers, int adversaries, Behavior adversary, int seats) {
      return new Config(
          peers,
          adversaries,
          adversary,
          seats,
          2_000,
          ConsensusConfig.DEFAULT_AUDIT_RATE,
          ConsensusConfig.Committees.DEFAULT_NEWCOMER_AUDIT_RATE,
          10,
          0,
          false,
          1);
    }

    /**
     * This row with other audit rates.
     *
     * @param rate the audit rate
     * @param newcomerRate the audit rate with a newcomer seated
     * @return the row
     */
    public Config withAudits(double rate, double newcomerRate) {
      return with().auditRate(rate).newcomerAuditRate(newcomerRate).build();
    }

    /**
     * The adversaries' initial share of the stake (and of the draw weight: all start equal).
     *
     * @return f, in [0,1]
     */
    @JsonProperty
    public double share() {
      return adversaries / (double) peers;
    }

    /**
     * The rate of accepted wrong decisions if the weights stayed at their initial values: every one
     * of the k seats, drawn independently with replacement, goes to an adversary (f^k), and the
     * task escapes the audit.
     *
     * @return {@code f^k x (1 - auditRate)}
     */
    @JsonProperty
    public double bound() {
      return Math.pow(share(), seats) * (1 - auditRate);
    }
  }

  /**
   * Runs a row {@code runs} times, each a fresh network with seed {@code config.seed() + r}, and
   * sums what they measured.
   *
   * @param config the row
   * @param runs independent runs, at least 1
   * @return the totals
   */
  public static TrialResult run(Config config, int runs) {
    if (runs < 1) {
      throw new IllegalArgumentException("runs must be >= 1");
    }
    TrialRun.Tally total = new TrialRun.Tally();
    Integer badBelow = 0;
    int correctAfter = 0;
    boolean slashed = false;
    double weight = 0;
    for (int r = 0; r < runs; r++) {
      TrialRun run = new TrialRun(config, config.seed() + r);
      run.all();
      total.add(run.tally);
      badBelow =
          badBelow == null || run.badBelowHonestAfter() == null
              ? null
              : Math.max(badBelow, run.badBelowHonestAfter());
      correctAfter = Math.max(correctAfter, run.lastWrong + 1);
      slashed |= run.honestSlashed();
      weight += run.adversaryWeight();
    }
    return new TrialResult(
        config,
        runs,
        total.tasks,
        total.accepted,
        total.wrong,
        TrialResult.wilson(total.wrong, total.tasks),
        Collections.unmodifiableMap(new TreeMap<>(total.escalations)),
        total.audited,
        total.inferences,
        badBelow,
        correctAfter,
        slashed,
        weight / runs);
  }

  /** Network sizes of the table. */
  public static final List<Integer> SIZES = List.of(15, 30);

  /** Committee sizes of the table. */
  public static final List<Integer> SEATS = List.of(3, 5, 7);

  /** Adversary stake shares of the table: 20% and one third. */
  public static final List<Double> SHARES = List.of(0.2, 1.0 / 3);

  /** Honest stake shares of the liveness rows: half (rounded up) and 60%. */
  public static final List<Double> LIVENESS_HONEST_SHARES = List.of(0.5, 0.6);

  /**
   * Runs the whole table: every adversarial behaviour at each size, share and k; honest-only
   * networks at each size and k; and colluders against 50-60% honest stake.
   *
   * @param base tasks, audit rates, roster epoch, history and seed of every row (its size,
   *     adversaries and k are replaced)
   * @param runs runs per row
   * @return the table
   */
  public static TrialTable table(Config base, int runs) {
    long t0 = System.nanoTime();
    List<TrialResult> adversarial = new ArrayList<>();
    for (int n : SIZES) {
      for (double f : SHARES) {
        for (Behavior b : Behavior.values()) {
          if (b == Behavior.HONEST) {
            continue;
          }
          for (int k : SEATS) {
            adversarial.add(run(row(base, n, (int) Math.round(f * n), b, k), runs));
          }
        }
      }
    }
    List<TrialResult> honestOnly = new ArrayList<>();
    for (int n : SIZES) {
      for (int k : SEATS) {
        honestOnly.add(run(row(base, n, 0, Behavior.HONEST, k), runs));
      }
    }
    List<TrialResult> liveness = new ArrayList<>();
    for (int n : SIZES) {
      for (double h : LIVENESS_HONEST_SHARES) {
        for (int k : SEATS) {
          liveness.add(run(row(base, n, n - (int) Math.ceil(h * n), Behavior.COLLUDING, k), runs));
        }
      }
    }
    return new TrialTable(
        adversarial, honestOnly, liveness, runs, (System.nanoTime() - t0) / 1_000_000);
  }

  private static Config row(
      Config base, int peers, int adversaries, Behavior adversary, int seats) {
    return base.with()
        .peers(peers)
        .adversaries(adversaries)
        .adversary(adversary)
        .seats(seats)
        .build();
  }
}
