package dev.minigradient.consensus;

import static dev.minigradient.consensus.CommitteeTrial.DECISION_TIMEOUT_MS;
import static dev.minigradient.consensus.CommitteeTrial.MODEL;
import static dev.minigradient.consensus.CommitteeTrial.ROSTER_MS;
import static dev.minigradient.consensus.CommitteeTrial.STAKE;

import dev.minigradient.protocol.AuditResult;
import dev.minigradient.protocol.Committee;
import dev.minigradient.protocol.Peer;
import dev.minigradient.protocol.PeerVerdict;
import dev.minigradient.protocol.Reputation;
import dev.minigradient.protocol.Roster;
import dev.minigradient.protocol.Settlement;
import dev.minigradient.protocol.Verdict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * One network of the {@link CommitteeTrial}, from its first task to its last: the peers and their
 * behaviours, the ledger, the rosters published an epoch ahead, and per task the committee draw,
 * the audit sample, the answers, the decision, the verdicts and their settlement at the task's
 * settlement time, each by the rule the consensus app applies ({@link Rosters}, {@link
 * Eligibility}, {@link AuditSample}, {@link DecisionRule}, {@link Verdicts}, {@link
 * LedgerReplay#apply}). Mutable; one thread.
 */
final class TrialRun {
  /** Counts over tasks. */
  static final class Tally {
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

  /** Settlements due at a time, in the order they were made. */
  private record Due(long at, long order, String peerId, Settlement settlement) {}

  final CommitteeTrial.Config config;
  final byte[] secret;
  final SplittableRandom tasks;
  final Map<String, CommitteeTrial.Behavior> behavior = new LinkedHashMap<>();
  final Map<String, SplittableRandom> own = new HashMap<>();
  final Map<String, Peer> registry = new TreeMap<>();
  final Map<String, Reputation> ledger = new HashMap<>();
  final PriorityQueue<Due> due =
      new PriorityQueue<>(
          (a, b) ->
              a.at() != b.at() ? Long.compare(a.at(), b.at()) : Long.compare(a.order(), b.order()));
  final Tally tally = new Tally();
  final List<String> honest = new ArrayList<>();
  final List<String> bad = new ArrayList<>();
  final long interval;
  long order;
  int lastWrong = -1;
  boolean honestFailedAudit;

  /**
   * First task index from which the adversaries have stayed below the honest peers; -1: not now.
   */
  int belowSince = -1;

  TrialRun(CommitteeTrial.Config config, long seed) {
    this.config = config;
    this.secret = AuditSample.salt(seed);
    this.tasks = new SplittableRandom(seed);
    this.interval = Math.max(1, ROSTER_MS / config.tasksPerRoster());
    for (int i = 0; i < config.peers(); i++) {
      boolean adversary = i < config.adversaries();
      String id = String.format(Locale.ROOT, "%s-%02d", adversary ? "bad" : "honest", i);
      behavior.put(id, adversary ? config.adversary() : CommitteeTrial.Behavior.HONEST);
      (adversary ? bad : honest).add(id);
      own.put(id, new SplittableRandom(seed * 1_000_003L + i));
      registry.put(
          id,
          new Peer(
              Peer.SCHEMA_VERSION, id, "", STAKE, List.of(MODEL), "trial", 0, ROSTER_MS, false));
      if (config.history() > 0) {
        Reputation r = ReputationRules.initial(id, STAKE);
        for (int h = 0; h < config.history(); h++) {
          r = ReputationRules.apply(r, new PeerVerdict(id, null, Verdict.AGREED, null), 0);
        }
        ledger.put(id, r);
      }
    }
  }

  /** Runs every task, rosters changing at their epochs, then settles what is still due. */
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
        next =
            roster(
                Rosters.nextEpoch(t, ROSTER_MS)); // published an epoch ahead, from the ledger now
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

  /**
   * One task: its committee drawn from {@code roster}, the audit sample, the answers, the decision
   * (the referee's after an escalation) and its verdicts, due for settlement.
   */
  void task(int i, long t, Roster roster) {
    TrialModel.Sample sample = TrialModel.sample(tasks);
    String taskId = "task-" + i;
    Committee committee =
        Committee.draw(roster, MODEL, config.seats(), Committee.seed(roster.beacon(), 0, i, t));
    PendingTask p = new PendingTask();
    p.modelId = MODEL;
    p.committee.addAll(committee.seats());
    p.eligible.putAll(Eligibility.seats(committee, roster));
    Referee.Reference model = new Referee.Reference(sample.truth(), sample.probabilities());
    if (AuditSample.sampled(
        secret,
        taskId,
        config.auditRate(),
        config.newcomerAuditRate(),
        p.eligible.keySet(),
        ledger::get)) {
      p.reference = model;
      tally.audited++;
    }
    for (String peer : p.eligible.keySet()) {
      TrialModel.Answer a = TrialModel.answer(behavior.get(peer), sample, own.get(peer));
      if (a != null) {
        p.votes.put(
            peer,
            new PendingTask.CountedVote(
                a.label(), null, a.probabilities(), true, null, t, null, null));
      }
    }
    long decidedAt = t;
    DecisionRule.Step step = DecisionRule.next(p, false);
    if (step.kind() == DecisionRule.Kind.WAIT) { // a seat is silent: the deadline decides
      decidedAt = t + DECISION_TIMEOUT_MS;
      step = DecisionRule.next(p, true);
    }
    tally.tasks++;
    if (step.kind() == DecisionRule.Kind.DECIDE) {
      tally.accepted++;
      if (step.label() != sample.truth()) {
        tally.wrong++;
        lastWrong = i;
      }
    } else { // ESCALATE: the referee re-executes the task and decides (TIMED_OUT needs no
      // committee)
      p.reference = model;
      p.escalation = step.reason();
      tally.escalations.merge(step.reason(), 1L, Long::sum);
      step = DecisionRule.byReferee(step, p);
    }
    p.decide(DecisionRule.status(step.label()), step.label(), decidedAt);
    tally.inferences += p.votes.size() + (p.reference != null ? 1 : 0);
    long settledAt = p.everyoneVoted() ? decidedAt : t + DECISION_TIMEOUT_MS;
    for (PeerVerdict v : Verdicts.of(p, ConsensusConfig.DEFAULT_LATE_GRACE_MS, true)) {
      if (behavior.get(v.peerId()) == CommitteeTrial.Behavior.HONEST
          && (v.audit() == AuditResult.FAILED || v.verdict() == Verdict.INVALID)) {
        honestFailedAudit = true;
      }
      due.add(
          new Due(
              settledAt,
              order++,
              v.peerId(),
              new Settlement(Settlement.SCHEMA_VERSION, taskId, v, settledAt, STAKE)));
    }
  }

  /** Folds the settlements due by {@code t} into the ledger (unless frozen). */
  void settleUntil(long t) {
    while (!due.isEmpty() && due.peek().at() <= t) {
      Due d = due.poll();
      if (!config.frozen()) {
        ledger.put(
            d.peerId(), LedgerReplay.apply(ledger.get(d.peerId()), d.peerId(), d.settlement()));
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
      if (behavior.get(e.getKey()) != CommitteeTrial.Behavior.HONEST) {
        theirs += e.getValue();
      }
    }
    return all > 0 ? theirs / all : 0;
  }
}
