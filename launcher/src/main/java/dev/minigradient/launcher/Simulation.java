package dev.minigradient.launcher;

import dev.minigradient.consensus.ConsensusConfig;
import dev.minigradient.consensus.ReputationRules;
import dev.minigradient.launcher.EmbeddedNetwork.PeerPlan;
import dev.minigradient.model.ServedModel;
import dev.minigradient.producer.Input;
import dev.minigradient.producer.Result;
import dev.minigradient.producer.Submitter;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.Redundancy;
import dev.minigradient.protocol.Reputation;
import dev.minigradient.protocol.TopicSnapshot;
import dev.minigradient.protocol.Topics;
import dev.minigradient.worker.Behavior;
import dev.minigradient.worker.PeerWorker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs a network of honest and adversarial peers on real digits and measures how the consensus
 * holds: wrong decisions (against the true label and against the honest model's answer), tasks
 * without quorum, forged votes rejected, and each peer's reputation and stake over time.
 */
public final class Simulation {
  /** Verdict counts at which each peer's score is reported. */
  public static final List<Integer> CHECKPOINTS = List.of(10, 20, 50);

  private Simulation() {}

  /**
   * A mix of peers.
   *
   * @param spec the text it was parsed from
   * @param peers the peers
   * @param auditRate fraction of tasks audited by re-execution
   * @param redundancy committee seats per task ({@link Redundancy#ALL}: every peer)
   */
  public record Mix(String spec, List<PeerPlan> peers, double auditRate, int redundancy) {
    /**
     * Parses a mix: comma-separated {@code kind[:count][@stake]} items, an optional {@code
     * audit=RATE} and an optional {@code k=SEATS} (a positive integer or {@code all}; default 3),
     * e.g. {@code honest:3,constant:4@30,audit=0,k=all}. Peers are named {@code <kind>-<n>}; a
     * forger forges votes in every other peer's name.
     *
     * @param spec the mix
     * @return the mix, with the default audit rate unless given
     * @throws IllegalArgumentException with a one-line reason for a malformed mix
     */
    public static Mix parse(String spec) {
      double audit = ConsensusConfig.DEFAULT_AUDIT_RATE;
      boolean auditSeen = false;
      Integer seats = null;
      List<String[]> items = new ArrayList<>();
      for (String raw : spec.split(",")) {
        String item = raw.trim();
        if (item.isEmpty()) {
          continue;
        }
        if (item.startsWith("k=")) {
          if (seats != null) {
            throw new IllegalArgumentException("k= given twice in mix '" + spec + "'");
          }
          try {
            seats = Redundancy.parse(item.substring(2));
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad k in mix '" + spec + "': " + e.getMessage());
          }
          continue;
        }
        if (item.startsWith("audit=")) {
          if (auditSeen) {
            throw new IllegalArgumentException("audit= given twice in mix '" + spec + "'");
          }
          auditSeen = true;
          try {
            audit = Double.parseDouble(item.substring(6));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad audit rate in mix '" + spec + "': " + item);
          }
          if (!(audit >= 0 && audit <= 1)) {
            throw new IllegalArgumentException(
                "audit rate must be in [0,1] in mix '" + spec + "': " + item);
          }
          continue;
        }
        String stake = "100";
        int at = item.indexOf('@');
        if (at >= 0) {
          stake = item.substring(at + 1);
          item = item.substring(0, at);
        }
        String count = "1";
        int colon = item.indexOf(':');
        if (colon >= 0) {
          count = item.substring(colon + 1);
          item = item.substring(0, colon);
        }
        items.add(new String[] {item, count, stake, raw.trim()});
      }
      List<PeerPlan> peers = new ArrayList<>();
      Map<String, Integer> numbering = new LinkedHashMap<>();
      for (String[] it : items) {
        Behavior b = Behavior.parse(it[0]);
        int n;
        double stake;
        try {
          n = Integer.parseInt(it[1]);
          stake = Double.parseDouble(it[2]);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("bad count or stake in mix '" + spec + "': " + it[3]);
        }
        if (n < 1 || stake < 0) {
          throw new IllegalArgumentException(
              "count must be >= 1 and stake >= 0 in mix '" + spec + "'");
        }
        for (int i = 0; i < n; i++) {
          int k = numbering.merge(b.toString(), 1, Integer::sum);
          peers.add(new PeerPlan(b + "-" + k, b, stake));
        }
      }
      if (peers.isEmpty() || peers.size() > 64) {
        throw new IllegalArgumentException(
            "mix '" + spec + "' must have 1..64 peers, has " + peers.size());
      }
      List<String> ids = peers.stream().map(PeerPlan::peerId).toList();
      List<PeerPlan> wired = new ArrayList<>();
      for (PeerPlan p : peers) {
        Behavior b = p.behavior();
        if (b.kind() == Behavior.Kind.FORGER) {
          b = b.with(b.constantLabel(), b.delayMs(), b.crashAfter(), ids);
        }
        wired.add(new PeerPlan(p.peerId(), b, p.stake()));
      }
      return new Mix(
          spec,
          wired,
          audit,
          seats != null ? seats : ConsensusConfig.Committees.DEFAULT_REDUNDANCY);
    }
  }

  /**
   * One peer's course through a run.
   *
   * @param peerId the peer
   * @param behavior its behaviour
   * @param scores its score after {@link #CHECKPOINTS} verdicts (null where it had fewer)
   * @param last its final ledger entry, or null if it was never judged
   */
  public record PeerOutcome(String peerId, String behavior, List<Double> scores, Reputation last) {}

  /**
   * What one mix did.
   *
   * @param mix the mix
   * @param tasks tasks submitted
   * @param decided tasks DECIDED
   * @param wrongVsTruth decided with a label other than the image's true label
   * @param wrongVsModel decided with a label other than the honest model's answer
   * @param noQuorum tasks NO_QUORUM
   * @param timedOut tasks TIMED_OUT or unanswered
   * @param forgedSent votes forgers sent in other peers' names
   * @param forgedRejected forged votes that did not count (none of them showed up as an honest
   *     peer's vote)
   * @param badBelowHonestAfter verdicts after which every non-honest peer's score stayed below
   *     every honest peer's, or null if never (or no such peers)
   * @param peers each peer's course
   */
  public record MixOutcome(
      Mix mix,
      int tasks,
      int decided,
      int wrongVsTruth,
      int wrongVsModel,
      int noQuorum,
      int timedOut,
      long forgedSent,
      long forgedRejected,
      Integer badBelowHonestAfter,
      List<PeerOutcome> peers) {}

  /**
   * Runs one mix on a fresh in-JVM broker.
   *
   * @param mix the peers
   * @param model the model they serve
   * @param inputs the images, with true labels
   * @param decisionTimeoutMs the consensus deadline, ms
   * @param maxInFlight tasks submitted and not yet answered at a time
   * @return what happened
   * @throws Exception if the network cannot start
   */
  public static MixOutcome run(
      Mix mix, ModelSpec model, List<Input> inputs, long decisionTimeoutMs, int maxInFlight)
      throws Exception {
    EmbeddedNetwork.Options options =
        new EmbeddedNetwork.Options(
            null,
            mix.peers(),
            List.of(model),
            0,
            3,
            decisionTimeoutMs,
            100,
            ConsensusConfig.DEFAULT_EXACTLY_ONCE,
            mix.auditRate(),
            mix.redundancy(),
            Map.of());
    try (EmbeddedNetwork network = EmbeddedNetwork.start(options, Duration.ofSeconds(90))) {
      ServedModel served = network.models().get(0);
      List<Result> results;
      try (Submitter submitter =
          new Submitter(network.kafka(), "simulate", Duration.ofSeconds(10))) {
        results =
            submitter.submitAndAwait(
                inputs,
                network.modelId(),
                maxInFlight,
                Duration.ofMillis(decisionTimeoutMs + 30_000),
                r -> {});
      }
      int decided = 0;
      int wrongVsTruth = 0;
      int wrongVsModel = 0;
      int noQuorum = 0;
      int timedOut = 0;
      long forgedRejected = 0;
      for (Result r : results) {
        if (r.consensus() == null) {
          timedOut++;
          continue;
        }
        forgedRejected += r.consensus().forgedVotes();
        ConsensusStatus status = r.consensus().status();
        if (status == ConsensusStatus.DECIDED) {
          decided++;
          Integer label = r.consensus().label();
          if (r.input().trueLabel() != null && !r.input().trueLabel().equals(label)) {
            wrongVsTruth++;
          }
          if (served.infer(r.input().bytes()).label() != label) {
            wrongVsModel++;
          }
        } else if (status == ConsensusStatus.NO_QUORUM) {
          noQuorum++;
        } else if (status == ConsensusStatus.TIMED_OUT) {
          timedOut++;
        }
      }
      // the last tasks settle at their deadline; forged votes after a decision are counted there
      Thread.sleep(decisionTimeoutMs + 1_500);
      long forgedSent = network.peers().stream().mapToLong(PeerWorker::forgedVotesPublished).sum();
      Map<String, List<Reputation>> history = ledgerHistory(network.kafka());
      if (forgedSent > 0) {
        // a forged vote (always a wrong label) that counted in an honest peer's place would show
        // in that peer's ledger as a disagreement or an invalid vote
        long accepted = 0;
        for (PeerPlan p : mix.peers()) {
          List<Reputation> h = history.getOrDefault(p.peerId(), List.of());
          if (p.behavior().kind() == Behavior.Kind.HONEST && !h.isEmpty()) {
            accepted += h.get(h.size() - 1).disagreed() + h.get(h.size() - 1).invalid();
          }
        }
        forgedRejected = forgedSent - accepted;
      }
      List<PeerOutcome> peers = new ArrayList<>();
      for (PeerPlan p : mix.peers()) {
        List<Reputation> h = history.getOrDefault(p.peerId(), List.of());
        List<Double> scores = new ArrayList<>();
        for (int k : CHECKPOINTS) {
          scores.add(scoreAt(h, k));
        }
        peers.add(
            new PeerOutcome(
                p.peerId(),
                p.behavior().toString(),
                scores,
                h.isEmpty() ? null : h.get(h.size() - 1)));
      }
      return new MixOutcome(
          mix,
          inputs.size(),
          decided,
          wrongVsTruth,
          wrongVsModel,
          noQuorum,
          timedOut,
          forgedSent,
          forgedRejected,
          badBelowHonestAfter(mix, history),
          peers);
    }
  }

  /**
   * Up to {@code n} inputs taken in turn from each true label (label order, then file order), so a
   * short run sees every class and a constant liar agrees by chance about one time in ten; the
   * sample folder itself is sorted by label.
   *
   * @param inputs the inputs, with true labels where known
   * @param n how many to take
   * @return the balanced selection, deterministic
   */
  public static List<Input> balanced(List<Input> inputs, int n) {
    Map<Integer, ArrayDeque<Input>> byLabel = new TreeMap<>();
    for (Input in : inputs) {
      byLabel
          .computeIfAbsent(in.trueLabel() == null ? -1 : in.trueLabel(), k -> new ArrayDeque<>())
          .add(in);
    }
    List<Input> out = new ArrayList<>();
    while (out.size() < n && byLabel.values().stream().anyMatch(q -> !q.isEmpty())) {
      for (ArrayDeque<Input> q : byLabel.values()) {
        if (!q.isEmpty() && out.size() < n) {
          out.add(q.poll());
        }
      }
    }
    return out;
  }

  /** Every update of the ledger's changelog, per peer, in order. */
  static Map<String, List<Reputation>> ledgerHistory(KafkaSettings kafka) {
    Map<String, List<Reputation>> history = new LinkedHashMap<>();
    var reputation = Topics.REPUTATION.valueSerde().deserializer();
    TopicSnapshot.read(
        kafka,
        Topics.REPUTATION.name(),
        Duration.ofSeconds(30),
        r -> {
          Reputation value =
              r.value() == null ? null : reputation.deserialize(r.topic(), r.value());
          if (value != null) {
            history.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(value);
          }
        });
    return history;
  }

  /** The score after the peer's {@code k}-th verdict, or null if it had fewer. */
  private static Double scoreAt(List<Reputation> h, int k) {
    return h.isEmpty() || h.get(h.size() - 1).judged() < k ? null : lastScoreAt(h, k);
  }

  /** The first verdict count from which every non-honest peer stays below every honest peer. */
  private static Integer badBelowHonestAfter(Mix mix, Map<String, List<Reputation>> history) {
    List<String> honest = new ArrayList<>();
    List<String> bad = new ArrayList<>();
    for (PeerPlan p : mix.peers()) {
      (p.behavior().kind() == Behavior.Kind.HONEST ? honest : bad).add(p.peerId());
    }
    if (honest.isEmpty() || bad.isEmpty()) {
      return null;
    }
    long max = 0;
    for (List<Reputation> h : history.values()) {
      max = Math.max(max, h.isEmpty() ? 0 : h.get(h.size() - 1).judged());
    }
    Integer since = null;
    for (int k = 1; k <= max; k++) {
      double lowestHonest = Double.POSITIVE_INFINITY;
      for (String id : honest) {
        lowestHonest = Math.min(lowestHonest, lastScoreAt(history.get(id), k));
      }
      double highestBad = Double.NEGATIVE_INFINITY;
      for (String id : bad) {
        highestBad = Math.max(highestBad, lastScoreAt(history.get(id), k));
      }
      if (highestBad < lowestHonest) {
        since = since == null ? k : since;
      } else {
        since = null;
      }
    }
    return since;
  }

  /** The score after at most {@code k} verdicts (its latest if it stopped earlier). */
  private static double lastScoreAt(List<Reputation> h, int k) {
    double score = ReputationRules.INITIAL_SCORE;
    if (h != null) {
      for (Reputation r : h) {
        if (r.judged() <= k) {
          score = r.score();
        }
      }
    }
    return score;
  }
}
