package dev.minigradient.consensus;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.minigradient.protocol.AuditResult;
import dev.minigradient.protocol.Committee;
import dev.minigradient.protocol.Peer;
import dev.minigradient.protocol.PeerVerdict;
import dev.minigradient.protocol.Reputation;
import dev.minigradient.protocol.Roster;
import dev.minigradient.protocol.Settlement;
import dev.minigradient.protocol.Verdict;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A deterministic, seeded trust simulation of committees at volume, without Kafka: thousands of
 * tasks through the network's own rules, to measure how often a committee accepts a wrong answer,
 * what the committees cost, and how fast adversaries lose their seats.
 *
 * <p>Each task runs the same code as the consensus app: a roster of every peer weighted by {@link
 * StakeWeights} (stake x reputation, newcomers capped) from the ledger, rebuilt every {@link
 * Config#tasksPerRoster()} tasks and, as the app publishes it, one epoch ahead; seats drawn by
 * {@link Committee#draw} over {@link Committee#seed} (the stake-proportional draw of Algorand's
 * sortition, Gilad et al., SOSP 2017, with replacement); the {@link DecisionRule}; the audit
 * sample, its newcomer rate (BOINC's adaptive replication, Anderson, Grid 2004: hosts without a
 * record of valid results are checked more often), the verdicts, audit results and reward split of
 * {@link Verdicts}; and a ledger folded from the settlements with {@link LedgerReplay#apply}
 * ({@link ReputationRules}). Time is simulated: {@link Config#tasksPerRoster()} tasks per roster
 * epoch of {@link ConsensusConfig.Committees#DEFAULT_ROSTER_INTERVAL_MS} ms, a silent seat
 * escalating and settling at the {@link #DECISION_TIMEOUT_MS} deadline (the app escalates a
 * silent seat earlier, at its seat timeout, which changes latency, not any verdict counted here).
 *
 * <p><b>The model is a stand-in:</b> a task is a true label in 0..9 and a probability vector
 * peaked on it; an honest peer and the referee answer exactly that (a perfect, deterministic
 * model), so "wrong" means "not the honest model's answer". Adversaries are the {@link Behavior}s.
 *
 * <p>Accepted wrong decisions are counted with a 95% Wilson score interval (Wilson, JASA 1927),
 * against the bound for unanimity of k seats drawn with replacement at the initial adversary
 * stake share f: {@code f^k x (1 - audit rate)}.
 *
 * <p>One class over 400 lines because it is one experiment: its configuration, the simulated
 * network (rosters, peers, ledger), the per-task loop and the report's tables share the run's
 * state and read top to bottom; the rules themselves live in the classes above.
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

  private static final String MODEL = "trial-model";
  private static final long ROSTER_MS = ConsensusConfig.Committees.DEFAULT_ROSTER_INTERVAL_MS;

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
    LAZY;

    /** The vote of a peer with this behaviour, or null for none. */
    Answer answer(Sample task, SplittableRandom own) {
      return switch (this) {
        case HONEST -> new Answer(task.truth(), task.probabilities());
        case CONSTANT -> Answer.madeUp(CONSTANT_LABEL);
        case RANDOM -> Answer.madeUp(own.nextInt(LABELS));
        case COLLUDING -> Answer.madeUp((task.truth() + 1) % LABELS);
        case COPYCAT -> null;
        case LAZY -> Answer.madeUp(Math.floorMod(mix(task.input()), LABELS));
      };
    }
  }

  /**
   * One row of the trial.
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
      long seed) {

    /** Validates the row. */
    public Config {
      Objects.requireNonNull(adversary, "adversary");
      if (peers < 1 || adversaries < 0 || adversaries > peers || seats < 1 || tasks < 1 || tasksPerRoster < 1 || history < 0) {
        throw new IllegalArgumentException("need peers >= 1, 0 <= adversaries <= peers, seats, tasks and tasksPerRoster >= 1, history >= 0");
      }
      if (!(auditRate >= 0 && auditRate <= 1 && newcomerAuditRate >= 0 && newcomerAuditRate <= 1)) {
        throw new IllegalArgumentException("audit rates must be in [0,1]");
      }
    }

    /**
     * A row with the defaults: 2,000 tasks, the app's audit rates (2%, 20% with a newcomer
     * seated), a roster every 10 tasks (1 s epochs of 10 tasks/s), every peer a newcomer, the
     * ledger live, seed 1.
     *
     * @param peers peers in the network
     * @param adversaries how many are adversaries
     * @param adversary their behaviour
     * @param seats seats per task
     * @return the row
     */
    public static Config of(int peers, int adversaries, Behavior adversary, int seats) {
      return new Config(peers, adversaries, adversary, seats, 2_000, ConsensusConfig.DEFAULT_AUDIT_RATE,
          ConsensusConfig.Committees.DEFAULT_NEWCOMER_AUDIT_RATE, 10, 0, false, 1);
    }

    /**
     * This row with another number of tasks.
     *
     * @param n tasks per run
     * @return the row
     */
    public Config withTasks(int n) {
      return new Config(peers, adversaries, adversary, seats, n, auditRate, newcomerAuditRate, tasksPerRoster, history, frozen, seed);
    }

    /**
     * This row with other audit rates.
     *
     * @param rate the audit rate
     * @param newcomerRate the audit rate with a newcomer seated
     * @return the row
     */
    public Config withAudits(double rate, double newcomerRate) {
      return new Config(peers, adversaries, adversary, seats, tasks, rate, newcomerRate, tasksPerRoster, history, frozen, seed);
    }

    /**
     * This row with another roster epoch.
     *
     * @param n tasks per roster epoch
     * @return the row
     */
    public Config withTasksPerRoster(int n) {
      return new Config(peers, adversaries, adversary, seats, tasks, auditRate, newcomerAuditRate, n, history, frozen, seed);
    }

    /**
     * This row with another starting history.
     *
     * @param verdicts agreed verdicts every peer starts with
     * @return the row
     */
    public Config withHistory(int verdicts) {
      return new Config(peers, adversaries, adversary, seats, tasks, auditRate, newcomerAuditRate, tasksPerRoster, verdicts, frozen, seed);
    }

    /**
     * This row with the ledger frozen or live.
     *
     * @param frozen whether the ledger stays as it starts
     * @return the row
     */
    public Config withFrozen(boolean frozen) {
      return new Config(peers, adversaries, adversary, seats, tasks, auditRate, newcomerAuditRate, tasksPerRoster, history, frozen, seed);
    }

    /**
     * This row with another seed.
     *
     * @param s seed of the first run
     * @return the row
     */
    public Config withSeed(long s) {
      return new Config(peers, adversaries, adversary, seats, tasks, auditRate, newcomerAuditRate, tasksPerRoster, history, frozen, s);
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
     * The rate of accepted wrong decisions if the weights stayed at their initial values: every
     * one of the k seats, drawn independently with replacement, goes to an adversary (f^k), and
     * the task escapes the audit.
     *
     * @return {@code f^k x (1 - auditRate)}
     */
    @JsonProperty
    public double bound() {
      return Math.pow(share(), seats) * (1 - auditRate);
    }
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
   * The 95% Wilson score interval of a binomial proportion (Wilson, "Probable inference, the law
   * of succession, and statistical inference", JASA 22, 1927): unlike the normal approximation it
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
    return new Interval(successes == 0 ? 0 : Math.max(0, centre - half), successes == trials ? 1 : Math.min(1, centre + half));
  }

  /**
   * What a row measured, over all its runs.
   *
   * @param config the row
   * @param runs independent runs (networks), each with its own seed
   * @param tasks tasks over all runs
   * @param accepted tasks decided by unanimous seats, without escalation
   * @param wrong accepted tasks whose label is not the honest model's
   * @param wrongRate 95% Wilson interval of {@code wrong / tasks}; it takes tasks as independent,
   *     which they are only while the weights stay put: with the ledger live, wrong acceptances
   *     cluster in the first rosters, before the adversaries lose their seats, so the rate shrinks
   *     as runs get longer and the count per run is the figure to read
   * @param escalations tasks the referee decided, by reason ({@code disagreement}, {@code
   *     missing-seat}, {@code audit})
   * @param audited tasks sampled for an audit
   * @param inferences model runs: votes plus referee runs (audits and escalations)
   * @param badBelowHonestAfter the latest, over the runs, task index from which every adversary's
   *     score stays below every honest peer's to the end of the run; null if that never happened
   *     in some run, or there are no adversaries or no honest peers
   * @param correctAfter the latest, over the runs, task index after the last accepted wrong
   *     decision (0 without any): from there on every decision was right
   * @param honestSlashed whether any honest peer failed an audit or was slashed, in any run
   * @param adversaryWeight the adversaries' share of the draw weight at the end, mean over runs
   */
  public record Result(
      Config config,
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
  }

  /**
   * Runs a row {@code runs} times, each a fresh network with seed {@code config.seed() + r}, and
   * sums what they measured.
   *
   * @param config the row
   * @param runs independent runs, at least 1
   * @return the totals
   */
  public static Result run(Config config, int runs) {
    if (runs < 1) {
      throw new IllegalArgumentException("runs must be >= 1");
    }
    Tally total = new Tally();
    Integer badBelow = 0;
    int correctAfter = 0;
    boolean slashed = false;
    double weight = 0;
    for (int r = 0; r < runs; r++) {
      Run run = new Run(config, config.seed() + r);
      run.all();
      total.add(run.tally);
      badBelow = badBelow == null || run.badBelowHonestAfter() == null ? null : Math.max(badBelow, run.badBelowHonestAfter());
      correctAfter = Math.max(correctAfter, run.lastWrong + 1);
      slashed |= run.honestSlashed();
      weight += run.adversaryWeight();
    }
    return new Result(config, runs, total.tasks, total.accepted, total.wrong, wilson(total.wrong, total.tasks),
        Collections.unmodifiableMap(new TreeMap<>(total.escalations)), total.audited, total.inferences, badBelow, correctAfter, slashed, weight / runs);
  }

  /**
   * The trial's three sections, as run by {@link CommitteeTrial#table}.
   *
   * @param adversaries one row per network size, adversary stake share, behaviour and k
   * @param honest honest-only networks: what committees cost
   * @param liveness colluders holding 40-50% of the stake: how long until decisions are right again
   * @param runs runs per row
   * @param millis wall-clock time of the whole table, ms
   */
  public record Table(List<Result> adversaries, List<Result> honest, List<Result> liveness, int runs, long millis) {

    /**
     * The table as Markdown, with the stand-in model and the parameters stated.
     *
     * @return Markdown text
     */
    public String markdown() {
      Config base = !adversaries.isEmpty() ? adversaries.get(0).config() : honest.get(0).config();
      StringBuilder sb = new StringBuilder();
      sb.append(String.format(Locale.ROOT,
          "Trust simulation (pure Java, the app's own draw, decision, audit, verdict and ledger rules; stand-in model: a true label "
              + "and fixed probabilities, honest peers and the referee answer exactly that). %d run(s) x %d tasks per row, audits %s "
              + "(%s with a newcomer seated), roster every %d tasks (%d ms epochs, weights published one epoch ahead), peers start "
              + "%s, seed %d; %.1f s.%n%n",
          runs, base.tasks(), pct(base.auditRate()), pct(base.newcomerAuditRate()), base.tasksPerRoster(), ROSTER_MS,
          (base.history() == 0 ? "as newcomers" : "with " + base.history() + " agreed verdicts each")
              + (base.frozen() ? ", ledger frozen (weights never move)" : ""), base.seed(), millis / 1000.0));
      sb.append("Wrong accepted: decided by unanimous seats without the referee, label not the model's. Bound: f^k(1-a) at the "
          + "initial stake share f, were weights never to change. Right from task: the task after the last wrong acceptance; "
          + "bad below honest from task: from there on every adversary's score stays below every honest peer's (both the worst "
          + "run). Inferences: votes plus referee runs (audits and escalations). Bad weight: the adversaries' share of the draw "
          + "weight after the last task (mean of the runs).\n\n");
      sb.append("| N | bad (f) | adversary | k | tasks | wrong accepted | wrong rate [95% CI] | bound f^k(1-a) | right from task "
          + "| escal./task | infer./task | bad below honest from task | bad weight at end | honest slashed |\n");
      sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
      for (Result r : adversaries) {
        Config c = r.config();
        sb.append(String.format(Locale.ROOT, "| %d | %d (%.0f%%) | %s | %d | %d | %d | %s [%s, %s] | %s | %d | %.3f | %.2f | %s | %s | %s |%n",
            c.peers(), c.adversaries(), 100 * c.share(), c.adversary().name().toLowerCase(Locale.ROOT), c.seats(), r.tasks(),
            r.wrong(), sci(r.wrongPerTask()), sci(r.wrongRate().low()), sci(r.wrongRate().high()), sci(c.bound()), r.correctAfter(),
            r.escalationsPerTask(), r.inferencesPerTask(), r.badBelowHonestAfter() == null ? "never" : r.badBelowHonestAfter(),
            pct(r.adversaryWeight()), r.honestSlashed() ? "**yes**" : "never"));
      }
      sb.append("\n| N | k | tasks | infer./task | goal <= 1.1k | wrong accepted | escal./task | audited/task |\n");
      sb.append("|---|---|---|---|---|---|---|---|\n");
      for (Result r : honest) {
        Config c = r.config();
        sb.append(String.format(Locale.ROOT, "| %d | %d | %d | %.2f | %.1f %s | %d | %.3f | %.3f |%n",
            c.peers(), c.seats(), r.tasks(), r.inferencesPerTask(), 1.1 * c.seats(), r.inferencesPerTask() <= 1.1 * c.seats() ? "met" : "**missed**",
            r.wrong(), r.escalationsPerTask(), r.audited() / (double) r.tasks()));
      }
      sb.append("\n| N | honest share | colluders | k | tasks | wrong accepted | right from task | goal <= 50 "
          + "| escal./task | bad weight at end | honest slashed |\n");
      sb.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
      for (Result r : liveness) {
        Config c = r.config();
        sb.append(String.format(Locale.ROOT, "| %d | %.0f%% | %d | %d | %d | %d | %d | %s | %.3f | %s | %s |%n",
            c.peers(), 100 * (1 - c.share()), c.adversaries(), c.seats(), r.tasks(), r.wrong(), r.correctAfter(),
            r.correctAfter() <= 50 ? "met" : "**missed**", r.escalationsPerTask(), pct(r.adversaryWeight()),
            r.honestSlashed() ? "**yes**" : "never"));
      }
      return sb.toString();
    }
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
  public static Table table(Config base, int runs) {
    long t0 = System.nanoTime();
    List<Result> adversarial = new ArrayList<>();
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
    List<Result> honestOnly = new ArrayList<>();
    for (int n : SIZES) {
      for (int k : SEATS) {
        honestOnly.add(run(row(base, n, 0, Behavior.HONEST, k), runs));
      }
    }
    List<Result> liveness = new ArrayList<>();
    for (int n : SIZES) {
      for (double h : LIVENESS_HONEST_SHARES) {
        for (int k : SEATS) {
          liveness.add(run(row(base, n, n - (int) Math.ceil(h * n), Behavior.COLLUDING, k), runs));
        }
      }
    }
    return new Table(adversarial, honestOnly, liveness, runs, (System.nanoTime() - t0) / 1_000_000);
  }

  private static Config row(Config base, int peers, int adversaries, Behavior adversary, int seats) {
    return new Config(peers, adversaries, adversary, seats, base.tasks(), base.auditRate(), base.newcomerAuditRate(),
        base.tasksPerRoster(), base.history(), base.frozen(), base.seed());
  }

  private static String pct(double f) {
    return String.format(Locale.ROOT, f > 0 && f < 0.1 ? "%.1f%%" : "%.0f%%", 100 * f);
  }

  /** A number as {@code 8.0e-3}, or 0. */
  static String sci(double v) {
    if (v == 0) {
      return "0";
    }
    return String.format(Locale.ROOT, "%.1e", v).replace("e-0", "e-").replace("e+00", "");
  }

  /** Counts over tasks. */
  private static final class Tally {
    long tasks;
    long accepted;
    long wrong;
    long audited;
    long inferences;
    final Map<String, Long> escalations = new TreeMap<>();

    void add(Tally t) {
      tasks += t.tasks;
      accepted += t.accepted;
      wrong += t.wrong;
      audited += t.audited;
      inferences += t.inferences;
      t.escalations.forEach((k, v) -> escalations.merge(k, v, Long::sum));
    }
  }

  /**
   * A stand-in task.
   *
   * @param truth the honest model's label
   * @param probabilities the honest model's probabilities, peaked on {@code truth}
   * @param input a stand-in for the input bytes (what a lazy peer hashes)
   */
  record Sample(int truth, List<Double> probabilities, long input) {}

  /**
   * A vote's content.
   *
   * @param label the label
   * @param probabilities its probabilities
   */
  record Answer(int label, List<Double> probabilities) {
    /** Probabilities no model computed: 0.91 on the label, 0.01 elsewhere. */
    static Answer madeUp(int label) {
      Double[] p = new Double[LABELS];
      for (int i = 0; i < LABELS; i++) {
        p[i] = i == label ? 0.91 : 0.01;
      }
      return new Answer(label, List.of(p));
    }
  }

  /** Settlements due at a time, in the order they were made. */
  private record Due(long at, long order, String peerId, Settlement settlement) {}

  /** One network, from its first task to its last. */
  private static final class Run {
    final Config config;
    final byte[] secret;
    final SplittableRandom tasks;
    final Map<String, Behavior> behavior = new LinkedHashMap<>();
    final Map<String, SplittableRandom> own = new HashMap<>();
    final Map<String, Peer> registry = new TreeMap<>();
    final Map<String, Reputation> ledger = new HashMap<>();
    final PriorityQueue<Due> due =
        new PriorityQueue<>((a, b) -> a.at() != b.at() ? Long.compare(a.at(), b.at()) : Long.compare(a.order(), b.order()));
    final Tally tally = new Tally();
    final List<String> honest = new ArrayList<>();
    final List<String> bad = new ArrayList<>();
    final long interval;
    long order;
    int lastWrong = -1;
    boolean honestFailedAudit;
    /** First task index from which the adversaries have stayed below the honest peers; -1: not now. */
    int belowSince = -1;

    Run(Config config, long seed) {
      this.config = config;
      this.secret = AuditSample.salt(seed);
      this.tasks = new SplittableRandom(seed);
      this.interval = Math.max(1, ROSTER_MS / config.tasksPerRoster());
      for (int i = 0; i < config.peers(); i++) {
        boolean adversary = i < config.adversaries();
        String id = String.format(Locale.ROOT, "%s-%02d", adversary ? "bad" : "honest", i);
        behavior.put(id, adversary ? config.adversary() : Behavior.HONEST);
        (adversary ? bad : honest).add(id);
        own.put(id, new SplittableRandom(seed * 1_000_003L + i));
        registry.put(id, new Peer(Peer.SCHEMA_VERSION, id, "", STAKE, List.of(MODEL), "trial", 0, ROSTER_MS, false));
        if (config.history() > 0) {
          Reputation r = ReputationRules.initial(id, STAKE);
          for (int h = 0; h < config.history(); h++) {
            r = ReputationRules.apply(r, new PeerVerdict(id, null, Verdict.AGREED, null), 0);
          }
          ledger.put(id, r);
        }
      }
    }

    void all() {
      Roster current = roster(0);
      Roster next = null;
      for (int i = 0; i < config.tasks(); i++) {
        long t = i * interval;
        settleUntil(t);
        if (i % config.tasksPerRoster() == 0) {
          if (next != null && next.effectiveFrom() <= t) {
            current = next;
          }
          next = roster(Rosters.nextEpoch(t, ROSTER_MS)); // published an epoch ahead, from the ledger now
        }
        watch(i);
        task(i, t, current);
      }
      settleUntil(Long.MAX_VALUE);
      watch(config.tasks());
    }

    /** The roster starting at {@code from}: every peer with its weight from the ledger now. */
    Roster roster(long from) {
      return Rosters.of(from, secret, config.seats(), registry, new StakeWeights(), ledger::get);
    }

    void task(int i, long t, Roster roster) {
      Sample sample = sample();
      String taskId = "task-" + i;
      Committee committee = Committee.draw(roster, MODEL, config.seats(), Committee.seed(roster.beacon(), 0, i, t));
      PendingTask p = new PendingTask();
      p.modelId = MODEL;
      p.committee.addAll(committee.seats());
      p.eligible.putAll(Eligibility.seats(committee, roster));
      Referee.Reference model = new Referee.Reference(sample.truth(), sample.probabilities());
      if (AuditSample.sampled(secret, taskId, config.auditRate(), config.newcomerAuditRate(), p.eligible.keySet(), ledger::get)) {
        p.reference = model;
        tally.audited++;
      }
      for (String peer : p.eligible.keySet()) {
        Answer a = behavior.get(peer).answer(sample, own.get(peer));
        if (a != null) {
          p.votes.put(peer, new PendingTask.CountedVote(a.label(), null, a.probabilities(), true, null, t, null, null));
        }
      }
      long decidedAt = t;
      DecisionRule.Step step = DecisionRule.next(p, false);
      if (step.kind() == DecisionRule.Kind.WAIT) { // a seat is silent: the deadline decides
        decidedAt = t + DECISION_TIMEOUT_MS;
        step = DecisionRule.next(p, true);
      }
      tally.tasks++;
      int label = step.kind() == DecisionRule.Kind.DECIDE ? step.label() : model.label();
      p.decide(DecisionRule.status(label), label, decidedAt);
      if (step.kind() == DecisionRule.Kind.DECIDE) {
        tally.accepted++;
        if (step.label() != sample.truth()) {
          tally.wrong++;
          lastWrong = i;
        }
      } else { // ESCALATE: the referee re-executes the task and decides (TIMED_OUT needs no committee)
        p.reference = model;
        p.escalation = step.reason();
        tally.escalations.merge(step.reason(), 1L, Long::sum);
      }
      tally.inferences += p.votes.size() + (p.reference != null ? 1 : 0);
      long settledAt = p.everyoneVoted() ? decidedAt : t + DECISION_TIMEOUT_MS;
      for (PeerVerdict v : Verdicts.of(p, ConsensusConfig.DEFAULT_LATE_GRACE_MS, true)) {
        if (behavior.get(v.peerId()) == Behavior.HONEST && (v.audit() == AuditResult.FAILED || v.verdict() == Verdict.INVALID)) {
          honestFailedAudit = true;
        }
        due.add(new Due(settledAt, order++, v.peerId(), new Settlement(Settlement.SCHEMA_VERSION, taskId, v, settledAt, STAKE)));
      }
    }

    /** The next stand-in task: a label, and softmax probabilities peaked on it. */
    Sample sample() {
      int truth = tasks.nextInt(LABELS);
      double[] logits = new double[LABELS];
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < LABELS; c++) {
        logits[c] = tasks.nextDouble() * 2 + (c == truth ? 4 : 0);
        max = Math.max(max, logits[c]);
      }
      double sum = 0;
      for (int c = 0; c < LABELS; c++) {
        logits[c] = Math.exp(logits[c] - max);
        sum += logits[c];
      }
      Double[] p = new Double[LABELS];
      for (int c = 0; c < LABELS; c++) {
        p[c] = logits[c] / sum;
      }
      return new Sample(truth, List.of(p), tasks.nextLong());
    }

    /** Folds the settlements due by {@code t} into the ledger (unless frozen). */
    void settleUntil(long t) {
      while (!due.isEmpty() && due.peek().at() <= t) {
        Due d = due.poll();
        if (!config.frozen()) {
          ledger.put(d.peerId(), LedgerReplay.apply(ledger.get(d.peerId()), d.peerId(), d.settlement()));
        }
      }
    }

    /** Notes whether every adversary's score is below every honest peer's before task {@code i}. */
    void watch(int i) {
      if (honest.isEmpty() || bad.isEmpty()) {
        return;
      }
      double worstHonest = Double.POSITIVE_INFINITY;
      for (String id : honest) {
        worstHonest = Math.min(worstHonest, score(id));
      }
      double bestBad = Double.NEGATIVE_INFINITY;
      for (String id : bad) {
        bestBad = Math.max(bestBad, score(id));
      }
      if (bestBad < worstHonest) {
        if (belowSince < 0) {
          belowSince = i;
        }
      } else {
        belowSince = -1;
      }
    }

    double score(String id) {
      Reputation r = ledger.get(id);
      return r == null ? ReputationRules.INITIAL_SCORE : r.score();
    }

    Integer badBelowHonestAfter() {
      if (honest.isEmpty() || bad.isEmpty()) {
        return null;
      }
      return belowSince < 0 ? null : belowSince;
    }

    boolean honestSlashed() {
      if (honestFailedAudit) {
        return true;
      }
      for (String id : honest) {
        Reputation r = ledger.get(id);
        if (r != null && (r.slashed() > 0 || r.auditFailed() > 0)) {
          return true;
        }
      }
      return false;
    }

    /** The adversaries' share of the draw weight after the last settlement. */
    double adversaryWeight() {
      Map<String, Double> w = new StakeWeights().weights(registry, ledger::get);
      double all = 0;
      double theirs = 0;
      for (Map.Entry<String, Double> e : w.entrySet()) {
        all += e.getValue();
        if (behavior.get(e.getKey()) != Behavior.HONEST) {
          theirs += e.getValue();
        }
      }
      return all > 0 ? theirs / all : 0;
    }
  }

  /** SplitMix64's finaliser: the lazy peers' "hash of the input". */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
