package dev.minigradient.consensus;

import dev.minigradient.protocol.Committee;
import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.PeerVerdict;
import dev.minigradient.protocol.Reputation;
import dev.minigradient.protocol.Roster;
import dev.minigradient.protocol.SeatReplacement;
import dev.minigradient.protocol.Settlement;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.Verdict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The audit of the network's books from its topics: fed every record of {@code inference.tasks},
 * {@code inference.consensus}, {@code inference.votes}, {@code peers.settlements}, {@code
 * peers.reputation} and the dead letters, it recomputes each peer's ledger by folding its
 * settlements with {@link ReputationRules}, and checks that
 *
 * <ul>
 *   <li>every task has a consensus record, or was dead-lettered, or is still within its deadline; a
 *       task may have several consensus records only if they agree (same status and label): under
 *       {@code at_least_once} the consensus app can decide a task again when it re-processes its
 *       input after a failure (it keeps a decision its global table has read); records that
 *       disagree are a problem;
 *   <li>no vote counts twice: the ledger counts the first settlement of each task and peer and
 *       ignores later ones (re-emitted after a failure, like decisions), as the consensus app's
 *       fold does ({@link LedgerProcessor}); one verdict per peer in a consensus record;
 *   <li>every verdict that says a peer voted is backed by a vote of that peer for that task on
 *       {@code inference.votes};
 *   <li>every DECIDED or REJECTED record the referee did not decide holds more than 2/3 of its
 *       weight ({@link Quorum#holds});
 *   <li>the ledger the consensus app published equals the recomputed one;
 *   <li>every committee is the one the rosters draw: for each decision with a committee, the task's
 *       roster (by its append time), beacon and position re-derive the same seats ({@link
 *       Committee}), each replacement on {@code inference.replacements} names the drawn holder of
 *       its seat and the seat's next-ranked candidate ({@link Replacements}), each seat of the
 *       record's committee is held by its drawn holder or a peer appointed to it, and every verdict
 *       and settlement of the task is a seated or appointed peer's ({@link CommitteeCheck});
 *   <li>every decided task with verdicts is settled once its deadline has passed.
 * </ul>
 *
 * <p>Repeated decisions and settlements that were ignored are counted in {@link
 * Findings#duplicateConsensus()} and {@link Findings#duplicateSettlements()}, as information.
 *
 * <p>Feed the records in topic order (per partition): which of a task's records is the first
 * depends on it, as it does for the consensus app; the checks do not depend on the order across
 * partitions. Not thread-safe.
 */
public final class LedgerReplay {
  /** Tolerance for the ledger's floating-point fields (score, stake, rewards, slashed). */
  public static final double TOLERANCE = 1e-9;

  /** Most examples listed per kind of finding. */
  public static final int EXAMPLES = 20;

  private final Map<String, Long> taskArrivals = new LinkedHashMap<>();

  /** The first consensus record of each task: its status and label. */
  private final Map<String, Decision> firstDecision = new HashMap<>();

  private final Map<ConsensusStatus, Long> byStatus = new TreeMap<>();
  private final Set<String> deadLettered = new HashSet<>();
  private final Set<String> voted = new HashSet<>();
  private final Set<String> settled = new HashSet<>();
  private final Map<String, Reputation> recomputed = new TreeMap<>();
  private final Map<String, Reputation> published = new TreeMap<>();
  private final List<Settlement> settlements = new ArrayList<>();
  private final ReplayProblems problems = new ReplayProblems();
  private final CommitteeCheck committees = new CommitteeCheck(problems);

  /** The committee and decision time of each task's first consensus record with verdicts. */
  private final Map<String, Consensus> firstRecord = new HashMap<>();

  private final Set<String> settledTasks = new HashSet<>();
  private long settlementCount;
  private long voteCount;
  private long duplicateConsensus;
  private long duplicateSettlements;

  /** What two consensus records of one task must share to agree. */
  private record Decision(ConsensusStatus status, Integer label) {}

  /**
   * The ledger entry after one settlement: {@link ReputationRules#apply}, starting a peer never
   * seen before at {@link ReputationRules#initial} with the stake it declared. The consensus app's
   * ledger ({@link LedgerProcessor}) applies it to the first settlement of each task and peer.
   *
   * @param current the peer's entry so far, or null
   * @param peerId the peer
   * @param s its settlement
   * @return the new entry
   */
  public static Reputation apply(Reputation current, String peerId, Settlement s) {
    Reputation base =
        current != null ? current : ReputationRules.initial(peerId, s.declaredStake());
    return ReputationRules.apply(base, s.verdict(), s.settledAt());
  }

  /**
   * A task read from {@code inference.tasks}.
   *
   * @param taskId its id
   * @param arrivedAt its record timestamp (the broker's append time), epoch ms
   */
  public void task(String taskId, long arrivedAt) {
    taskArrivals.putIfAbsent(taskId, arrivedAt);
  }

  /**
   * A task read from {@code inference.tasks}, with what its committee is drawn from.
   *
   * @param task the task
   * @param partition its record's partition
   * @param offset its record's offset
   * @param appendTime its record's timestamp (the broker's append time), epoch ms
   */
  public void task(Task task, int partition, long offset, long appendTime) {
    task(task.taskId(), appendTime);
    committees.task(task, partition, offset, appendTime);
  }

  /**
   * A roster read from {@code network.rosters}. A later one for the same epoch replaces it, but a
   * committee drawn from any roster published for its epoch stands: an app instance that took over
   * before it had read the epoch's roster back can publish that epoch again, and tasks arriving in
   * between were drawn from the first.
   *
   * @param r the roster
   */
  public void roster(Roster r) {
    committees.roster(r);
  }

  /**
   * A roster read from {@code network.rosters}, with its record's timestamp. A roster is published
   * an epoch ahead, but one can reach the topic late (a broker down, an app instance taking over):
   * a task that arrived before its epoch's roster was on the topic was drawn, by the app and the
   * peers alike, from the roster before, and that committee stands too.
   *
   * @param r the roster
   * @param publishedAt the record's timestamp, epoch ms
   */
  public void roster(Roster r, long publishedAt) {
    committees.roster(r, publishedAt);
  }

  /**
   * A record of {@code inference.replacements}: a silent seat's replacement. An exact repeat of one
   * already read is ignored.
   *
   * @param r the replacement
   */
  public void replacement(SeatReplacement r) {
    committees.replacement(r);
  }

  /**
   * A record of {@code inference.dead-letters}, by its key.
   *
   * @param key the original record's key (a task id for tasks and votes)
   */
  public void deadLetter(String key) {
    if (key != null) {
      deadLettered.add(key);
    }
  }

  /**
   * A vote read from {@code inference.votes} (signed or not: the consensus app judged it).
   *
   * @param taskId the task
   * @param peerId the peer it names
   */
  public void vote(String taskId, String peerId) {
    voteCount++;
    voted.add(taskId + "\n" + peerId);
  }

  /**
   * A record of {@code inference.consensus}. The first record of a task counts; a later one that
   * agrees with it (same status and label) is counted as a duplicate, one that disagrees is a
   * problem. Every record is checked for peers listed twice and for its quorum.
   *
   * @param c the consensus
   */
  public void consensus(Consensus c) {
    Decision d = new Decision(c.status(), c.label());
    Decision first = firstDecision.putIfAbsent(c.taskId(), d);
    if (first == null) {
      byStatus.merge(c.status(), 1L, Long::sum);
      firstRecord.put(c.taskId(), c);
    } else if (first.equals(d)) {
      duplicateConsensus++;
    } else {
      find(
          "task with conflicting consensus records",
          c.taskId()
              + " "
              + first.status()
              + " "
              + first.label()
              + ", then "
              + d.status()
              + " "
              + d.label());
    }
    Set<String> peers = new HashSet<>();
    for (PeerVerdict v : c.verdicts()) {
      if (!peers.add(v.peerId())) {
        find("peer listed twice in one consensus", c.taskId() + " " + v.peerId());
      }
    }
    if ((c.status() == ConsensusStatus.DECIDED || c.status() == ConsensusStatus.REJECTED)
        && !c.escalated()
        && !Quorum.holds(c.agreeingWeight(), c.totalWeight())) {
      find(
          "decided without more than 2/3 of the weight",
          c.taskId() + " " + c.agreeingWeight() + "/" + c.totalWeight());
    }
  }

  /**
   * A record of {@code peers.settlements}: folded into the peer's ledger if it is the first
   * settlement of its task and peer, else counted as a duplicate and ignored.
   *
   * @param peerId its key
   * @param s the settlement
   */
  public void settlement(String peerId, Settlement s) {
    settlementCount++;
    if (!peerId.equals(s.verdict().peerId())) {
      find(
          "settlement keyed by another peer",
          s.taskId() + " " + peerId + " != " + s.verdict().peerId());
    }
    if (!settled.add(s.taskId() + "\n" + peerId)) {
      duplicateSettlements++; // re-emitted or re-processed after a failure: the first one counts
      return;
    }
    settlements.add(s);
    settledTasks.add(s.taskId());
    recomputed.put(peerId, apply(recomputed.get(peerId), peerId, s));
  }

  /**
   * The newest {@code peers.reputation} record of a peer (later calls replace earlier ones, as
   * compaction does).
   *
   * @param peerId the peer
   * @param r its entry, or null for a tombstone
   */
  public void published(String peerId, Reputation r) {
    if (r == null) {
      published.remove(peerId);
    } else {
      published.put(peerId, r);
    }
  }

  /**
   * Runs the checks that need every record.
   *
   * @param now the time of the audit, epoch ms
   * @param pendingMs tasks that arrived less than this long before {@code now} may still be
   *     undecided, ms (the decision deadline plus a margin)
   * @return what the audit found
   */
  public Findings findings(long now, long pendingMs) {
    long pending = 0;
    long dead = 0;
    for (Map.Entry<String, Long> t : taskArrivals.entrySet()) {
      if (!firstDecision.containsKey(t.getKey())) {
        if (deadLettered.contains(t.getKey())) {
          dead++;
        } else if (t.getValue() > now - pendingMs) {
          pending++;
        } else {
          find("task without consensus, dead letter or pending deadline", t.getKey());
        }
      }
    }
    for (String taskId : firstDecision.keySet()) {
      if (!taskArrivals.containsKey(taskId)) {
        find("consensus for a task not on inference.tasks", taskId);
      }
    }
    for (Settlement s : settlements) {
      Verdict v = s.verdict().verdict();
      boolean claimsVote = v != Verdict.MISSED && v != Verdict.PENDING;
      if (claimsVote && !voted.contains(s.taskId() + "\n" + s.verdict().peerId())) {
        find(
            "verdict without a vote on inference.votes",
            s.taskId() + " " + s.verdict().peerId() + " " + v);
      }
      if (v == Verdict.PENDING) {
        find("PENDING settled into the ledger", s.taskId() + " " + s.verdict().peerId());
      }
    }
    checkCommittees(now, pendingMs);
    Set<String> peers = new TreeSet<>(recomputed.keySet());
    peers.addAll(published.keySet());
    for (String peer : peers) {
      String diff = LedgerDifference.of(published.get(peer), recomputed.get(peer));
      if (diff != null) {
        find("published ledger differs from the replay", peer + ": " + diff);
      }
    }
    return new Findings(
        taskArrivals.size(),
        new TreeMap<>(byStatus),
        dead,
        pending,
        voteCount,
        settlementCount,
        duplicateConsensus,
        duplicateSettlements,
        new TreeMap<>(recomputed),
        problems.counts(),
        problems.examples());
  }

  /** Checks that decided tasks were settled, and each committee ({@link CommitteeCheck}). */
  private void checkCommittees(long now, long pendingMs) {
    for (Consensus c : firstRecord.values()) {
      if (!c.verdicts().isEmpty()
          && !settledTasks.contains(c.taskId())
          && c.decidedAt() < now - pendingMs) {
        find(
            "decided task never settled",
            c.taskId() + " decided " + c.status() + " at " + c.decidedAt());
      }
      committees.check(c);
    }
    committees.checkSettlements(settlements);
  }

  private void find(String kind, String example) {
    problems.find(kind, example);
  }

  /**
   * What an audit found.
   *
   * @param tasks distinct tasks on {@code inference.tasks}
   * @param decisions tasks with a consensus record, by the status of their first one
   * @param deadLettered tasks without consensus that were dead-lettered
   * @param pending tasks without consensus still within their deadline
   * @param votes vote records read
   * @param settlements settlement records read
   * @param duplicateConsensus consensus records that repeat an earlier one of their task (same
   *     status and label), not counted in {@code decisions}; information, not a problem
   * @param duplicateSettlements settlement records of a task and peer already settled, left out of
   *     the ledger; information, not a problem
   * @param ledger the recomputed ledger, by peer
   * @param problems count of each kind of problem (empty when the books are consistent)
   * @param examples up to {@link #EXAMPLES} examples of each kind of problem
   */
  public record Findings(
      long tasks,
      Map<ConsensusStatus, Long> decisions,
      long deadLettered,
      long pending,
      long votes,
      long settlements,
      long duplicateConsensus,
      long duplicateSettlements,
      Map<String, Reputation> ledger,
      Map<String, Long> problems,
      Map<String, List<String>> examples) {
    /**
     * Whether the books are consistent.
     *
     * @return true when no problem was found
     */
    public boolean consistent() {
      return problems.isEmpty();
    }
  }
}
