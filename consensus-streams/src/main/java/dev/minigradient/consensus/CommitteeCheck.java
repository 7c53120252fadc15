package dev.minigradient.consensus;

import dev.minigradient.protocol.Committee;
import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.PeerVerdict;
import dev.minigradient.protocol.Roster;
import dev.minigradient.protocol.SeatReplacement;
import dev.minigradient.protocol.Settlement;
import dev.minigradient.protocol.Task;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The committee checks of a {@link LedgerReplay}: for each decision with a committee, the task's
 * roster (by its append time), beacon and position re-derive the same seats ({@link Committee}),
 * each replacement on {@code inference.replacements} names the drawn holder of its seat and the
 * seat's next-ranked candidate ({@link Replacements}), each seat of the record's committee is held
 * by its drawn holder or a peer appointed to it, and every verdict and settlement of the task is a
 * seated or appointed peer's ({@link Eligibility#seats}). Not thread-safe.
 */
final class CommitteeCheck {
  private final ReplayProblems problems;
  private final TreeMap<Long, Roster> rosters = new TreeMap<>();

  /**
   * Every roster read for each epoch, oldest first: an instance restarting before it read its own
   * can publish one twice.
   */
  private final Map<Long, List<Roster>> rosterVersions = new HashMap<>();

  /** The earliest record timestamp of each epoch's roster, where known. */
  private final Map<Long, Long> rosterPublishedAt = new HashMap<>();

  private final Map<String, TaskPosition> positions = new HashMap<>();

  /** The peers allowed a verdict in each committee task: drawn holders and appointees. */
  private final Map<String, Set<String>> seatedPeers = new HashMap<>();

  /** Each task's seat replacements, in topic order, repeats left out. */
  private final Map<String, List<SeatReplacement>> replacements = new HashMap<>();

  /** Where and when a task was appended, and what its committee is drawn from. */
  private record TaskPosition(
      String modelId, Integer redundancy, int partition, long offset, long appendTime) {}

  /**
   * A checker that reports to {@code problems}.
   *
   * @param problems where problems go
   */
  CommitteeCheck(ReplayProblems problems) {
    this.problems = problems;
  }

  /**
   * A task's position, what its committee is drawn from; the first record of a task counts.
   *
   * @param task the task
   * @param partition its record's partition
   * @param offset its record's offset
   * @param appendTime its record's timestamp (the broker's append time), epoch ms
   */
  void task(Task task, int partition, long offset, long appendTime) {
    positions.putIfAbsent(
        task.taskId(),
        new TaskPosition(task.modelId(), task.redundancy(), partition, offset, appendTime));
  }

  /**
   * A roster ({@link LedgerReplay#roster}).
   *
   * @param r the roster
   */
  void roster(Roster r) {
    rosters.put(r.effectiveFrom(), r);
    rosterVersions.computeIfAbsent(r.effectiveFrom(), e -> new ArrayList<>()).add(r);
  }

  /**
   * A roster with its record's timestamp ({@link LedgerReplay#roster(Roster, long)}).
   *
   * @param r the roster
   * @param publishedAt the record's timestamp, epoch ms
   */
  void roster(Roster r, long publishedAt) {
    roster(r);
    rosterPublishedAt.merge(r.effectiveFrom(), publishedAt, Math::min);
  }

  /**
   * A seat replacement; an exact repeat of one already read is ignored.
   *
   * @param r the replacement
   */
  void replacement(SeatReplacement r) {
    List<SeatReplacement> list = replacements.computeIfAbsent(r.taskId(), k -> new ArrayList<>());
    if (!list.contains(r)) {
      list.add(r);
    }
  }

  /**
   * Re-derives the committee of a task's first consensus record and checks its replacements, seats
   * and verdicts against it.
   *
   * @param c the record
   */
  void check(Consensus c) {
    List<SeatReplacement> calls = replacements.getOrDefault(c.taskId(), List.of());
    if (c.committee().isEmpty()) {
      if (!calls.isEmpty()) {
        problems.find(
            "replacement for a task without a committee", c.taskId() + " " + calls.get(0).peerId());
      }
      return;
    }
    TaskPosition t = positions.get(c.taskId());
    Map.Entry<Long, Roster> r = t == null ? null : rosters.floorEntry(t.appendTime());
    if (t == null || r == null) {
      problems.find("committee without its task or roster", c.taskId());
      Set<String> named = new HashSet<>(c.committee());
      calls.forEach(call -> named.addAll(List.of(call.peerId(), call.replacedPeerId())));
      seatedPeers.put(c.taskId(), named);
      return;
    }
    Roster roster = r.getValue();
    List<Roster> candidates = new ArrayList<>(rosterVersions.getOrDefault(r.getKey(), List.of()));
    Long before = rosters.lowerKey(r.getKey());
    if (before != null
        && rosterPublishedAt.getOrDefault(r.getKey(), Long.MIN_VALUE) > t.appendTime()) {
      candidates.addAll(
          rosterVersions.getOrDefault(before, List.of())); // the epoch's roster came late
    }
    for (Roster version : candidates) {
      byte[] versionSeed =
          Committee.seed(version.beacon(), t.partition(), t.offset(), t.appendTime());
      if (Committee.draw(version, t.modelId(), t.redundancy(), versionSeed)
          .seats()
          .equals(c.committee())) {
        roster = version; // the version this task was drawn from
        break;
      }
    }
    byte[] seed = Committee.seed(roster.beacon(), t.partition(), t.offset(), t.appendTime());
    Committee drawn = Committee.draw(roster, t.modelId(), t.redundancy(), seed);
    Set<String> seated = new HashSet<>(Eligibility.seats(drawn, roster).keySet());
    Map<Integer, Set<String>> appointed =
        checkReplacements(
            c.taskId(), drawn.seats(), calls, Replacements.ranker(roster, t.modelId(), seed));
    appointed.values().forEach(seated::addAll);
    if (!isDrawnOrAppointed(c.committee(), drawn.seats(), appointed)) {
      problems.find(
          "committee differs from the draw",
          c.taskId()
              + " "
              + c.committee()
              + ", the roster draws "
              + drawn.seats()
              + (appointed.isEmpty() ? "" : " with replacements by seat " + appointed));
    }
    for (PeerVerdict v : c.verdicts()) {
      if (!seated.contains(v.peerId())) {
        problems.find("verdict of a peer without a seat", c.taskId() + " " + v.peerId());
      }
    }
    seatedPeers.put(c.taskId(), seated);
  }

  /**
   * Checks that every settlement of a committee task is a seated or appointed peer's; run after
   * {@link #check} has seen every decision.
   *
   * @param settlements the settlements counted
   */
  void checkSettlements(List<Settlement> settlements) {
    for (Settlement s : settlements) {
      Set<String> seated = seatedPeers.get(s.taskId());
      if (seated != null && !seated.contains(s.verdict().peerId())) {
        problems.find(
            "settlement of a peer without a seat", s.taskId() + " " + s.verdict().peerId());
      }
    }
  }

  /**
   * Checks a task's replacements against its drawn seats, one round at a time (the appointments
   * made at one seat timeout share their time; a task re-processed after a failure at at-least-once
   * can have a second round): each names its seat's drawn holder and the seat's next-ranked
   * candidate, skipping the seated peers and the peers appointed before it in its round ({@link
   * Replacements#appoint}'s order), and no seat is replaced twice in a round.
   *
   * @return the peers appointed to each seat, by seat index
   */
  private Map<Integer, Set<String>> checkReplacements(
      String taskId, List<String> seats, List<SeatReplacement> calls, Replacements.Ranker ranker) {
    Map<Long, List<SeatReplacement>> rounds = new LinkedHashMap<>();
    calls.forEach(
        call -> rounds.computeIfAbsent(call.appointedAt(), k -> new ArrayList<>()).add(call));
    Map<Integer, Set<String>> appointed = new TreeMap<>();
    for (List<SeatReplacement> round : rounds.values()) {
      Set<String> excluded = new HashSet<>(seats);
      Set<Integer> replacedSeats = new HashSet<>();
      for (SeatReplacement call : round) {
        if (call.seat() >= seats.size() || !replacedSeats.add(call.seat())) {
          problems.find(
              "replacement of a seat the committee lacks or already replaced",
              taskId + " seat " + call.seat() + " " + call.peerId());
          continue;
        }
        if (!seats.get(call.seat()).equals(call.replacedPeerId())) {
          problems.find(
              "replacement naming another holder than the draw",
              taskId
                  + " seat "
                  + call.seat()
                  + " held by "
                  + seats.get(call.seat())
                  + ", not "
                  + call.replacedPeerId());
        }
        String next = ranker.next(call.seat(), excluded);
        if (!call.peerId().equals(next)) {
          problems.find(
              "replacement is not the seat's next-ranked candidate",
              taskId
                  + " seat "
                  + call.seat()
                  + " "
                  + call.peerId()
                  + ", the ranking gives "
                  + next);
        }
        excluded.add(call.peerId());
        appointed.computeIfAbsent(call.seat(), k -> new HashSet<>()).add(call.peerId());
      }
    }
    return appointed;
  }

  /**
   * Whether a consensus record's committee is the drawn one, each seat held by its drawn holder or
   * by a peer appointed to it. A replacement the record does not show was appointed while a task
   * was re-processed after a failure (at-least-once), after the decision it keeps.
   */
  private static boolean isDrawnOrAppointed(
      List<String> committee, List<String> drawn, Map<Integer, Set<String>> appointed) {
    if (committee.size() != drawn.size()) {
      return false;
    }
    for (int seat = 0; seat < drawn.size(); seat++) {
      String holder = committee.get(seat);
      if (!holder.equals(drawn.get(seat))
          && !appointed.getOrDefault(seat, Set.of()).contains(holder)) {
        return false;
      }
    }
    return true;
  }
}
