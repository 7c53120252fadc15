package dev.minigradient.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.protocol.Committee;
import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.PeerVerdict;
import dev.minigradient.protocol.Reputation;
import dev.minigradient.protocol.Roster;
import dev.minigradient.protocol.SeatReplacement;
import dev.minigradient.protocol.Settlement;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;

/**
 * A silent seat replaced by its next-ranked candidate at the seat timeout: the appointment on
 * {@code inference.replacements}, a decision without the referee, a silent replacement escalating
 * at the next timeout, and {@code replay} checking the appointments. The harness is {@link
 * AbstractTopologyTest}.
 */
class SeatReplacementTopologyTest extends AbstractTopologyTest {
  private static final long TIMEOUT_MS = 10_000;
  private static final long SEAT_TIMEOUT_MS = 2_000;
  private static final List<Double> HONEST = probabilities(7, 0.91);

  /** Times the referee re-ran a task. */
  private final AtomicInteger refereeRuns = new AtomicInteger();

  /** {@code peers.reputation} as the app published it, read once. */
  private List<KeyValue<String, Reputation>> publishedLedger;

  private void start() {
    Referee counting =
        (model, input) -> {
          refereeRuns.incrementAndGet();
          return new Referee.Reference(7, HONEST);
        };
    ConsensusConfig.Committees committees =
        new ConsensusConfig.Committees(3, 1_000, 0.0, SEAT_TIMEOUT_MS);
    start(config("replacement-test", TIMEOUT_MS, false, 0.0, committees), counting, null);
  }

  /**
   * A task at offset 0 of partition 0, appended now, with the committee and seed every party
   * computes.
   */
  private record Submitted(Task task, Committee committee, byte[] seed) {
    /** The holder of seat 0: the seat left silent. */
    String silent() {
      return committee.seats().get(0);
    }

    /** The seated peers other than the silent one. */
    Set<String> answering() {
      Set<String> out = new HashSet<>(committee.seats());
      out.remove(silent());
      return out;
    }
  }

  private Submitted submitDrawn(String taskId) {
    byte[] input = {1, 2, 3, (byte) taskId.hashCode()};
    Task t = task(taskId, input).build();
    tasks.pipeInput(taskId, t, now);
    byte[] seed = Committee.seed(roster.beacon(), 0, 0, now);
    return new Submitted(t, Committee.draw(roster, MODEL, null, seed), seed);
  }

  /**
   * The replacements the rule expects when seat 0's holder is silent: each of its seats, in seat
   * order, goes to the next in that seat's ranking holding no seat and not appointed before.
   */
  private List<String> expectedReplacements(Submitted s) {
    List<String> excluded = new ArrayList<>(s.committee().seats());
    List<String> out = new ArrayList<>();
    for (int seat = 0; seat < s.committee().seats().size(); seat++) {
      if (s.committee().seats().get(seat).equals(s.silent())) {
        String next = Committee.replacement(roster, MODEL, s.seed(), seat, excluded);
        excluded.add(next);
        out.add(next);
      }
    }
    return out;
  }

  private void cast(Task task, String peerId, int label, List<Double> p) {
    votes.pipeInput(task.taskId(), signedVote(task, peerId, label, p), now);
  }

  /**
   * Starts the app on eight peers and submits a task whose seat 0 stays silent while the other
   * seats vote 7.
   */
  private Submitted seatZeroSilent(String taskId) {
    start();
    network(3, ids(8));
    Submitted s = submitDrawn(taskId);
    s.answering().forEach(p -> cast(s.task(), p, 7, HONEST));
    return s;
  }

  /** Lets the seat timeout pass; returns the peers appointed to the silent seats, in order. */
  private List<String> appointedAtSeatTimeout() {
    driver.advanceWallClockTime(Duration.ofMillis(SEAT_TIMEOUT_MS + 200));
    return replacements.readValuesToList().stream().map(SeatReplacement::peerId).toList();
  }

  @Test
  void aSilentSeatIsReplacedByItsNextRankedPeerWhoseAgreeingVoteDecidesWithoutTheReferee() {
    // given a committee whose seat 0 stays silent while the other seats vote 7
    Submitted s = seatZeroSilent("t1");
    assertThat(consensus.isEmpty()).isTrue();

    // when the seat timeout passes
    driver.advanceWallClockTime(Duration.ofMillis(SEAT_TIMEOUT_MS + 200));

    // then each silent seat's next-ranked peer is appointed and announced, and nothing is decided
    // yet
    List<KeyValue<String, SeatReplacement>> calls = replacements.readKeyValuesToList();
    List<String> expected = expectedReplacements(s);
    assertThat(calls).extracting(kv -> kv.value.peerId()).containsExactlyElementsOf(expected);
    assertThat(calls)
        .allSatisfy(
            kv -> {
              assertThat(kv.key).isEqualTo("t1");
              assertThat(kv.value.replacedPeerId()).isEqualTo(s.silent());
              assertThat(kv.value.partition()).isZero();
              assertThat(kv.value.offset()).isZero();
              assertThat(kv.value.appendTime()).isEqualTo(now);
            });
    assertThat(calls.get(0).value.seat()).isZero();
    assertThat(expected).noneMatch(p -> s.committee().seats(p));
    assertThat(consensus.isEmpty()).isTrue();

    // when the replacements vote the same label
    expected.forEach(p -> cast(s.task(), p, 7, HONEST));

    // then the task is decided without the referee, the committee shows the final seats
    Consensus c = readDecided();
    assertThat(c.label()).isEqualTo(7);
    assertThat(c.escalation()).isNull();
    assertThat(refereeRuns).hasValue(0);
    List<String> finalSeats = new ArrayList<>(s.committee().seats());
    for (KeyValue<String, SeatReplacement> call : calls) {
      finalSeats.set(call.value.seat(), call.value.peerId());
    }
    assertThat(c.committee()).containsExactlyElementsOf(finalSeats).doesNotContain(s.silent());
    assertThat(c.agreeingWeight())
        .isEqualTo(c.totalWeight())
        .isEqualTo(s.committee().seats().size());
    assertThat(verdictOf(c, s.silent()).verdict()).isEqualTo(Verdict.PENDING);
    expected.forEach(p -> assertThat(verdictOf(c, p).verdict()).isEqualTo(Verdict.AGREED));

    // and at the deadline the silent seat settles MISSED, the replacements paid as seats
    driver.advanceWallClockTime(Duration.ofMillis(TIMEOUT_MS));
    Map<String, PeerVerdict> settled = new HashMap<>();
    List<KeyValue<String, Settlement>> settledRecords = settlements.readKeyValuesToList();
    settledRecords.forEach(kv -> settled.put(kv.key, kv.value.verdict()));
    assertThat(settled.get(s.silent()).verdict()).isEqualTo(Verdict.MISSED);
    assertThat(settled.get(s.silent()).reward()).isZero();
    expected.forEach(p -> assertThat(settled.get(p).reward()).isPositive());

    // and replay accepts the appointments, the verdicts and settlements of the appointed peers
    LedgerReplay replay = replayOf(s, calls, c, settledRecords);
    assertThat(replay.findings(now + 60_000, 30_000).problems()).isEmpty();

    // but flags an appointment of another peer than the seat's next-ranked candidate
    String wrong =
        roster.members().stream()
            .map(Roster.Member::peerId)
            .filter(p -> !s.committee().seats(p) && !expected.contains(p))
            .findFirst()
            .orElseThrow();
    List<KeyValue<String, SeatReplacement>> forged = new ArrayList<>(calls);
    SeatReplacement first = calls.get(0).value;
    forged.set(0, KeyValue.pair("t1", first.toBuilder().peerId(wrong).build()));
    assertThat(replayOf(s, forged, c, settledRecords).findings(now + 60_000, 30_000).problems())
        .containsKey("replacement is not the seat's next-ranked candidate");

    // and accepts the same appointments made again in a later round, as a task re-processed
    // after a failure at at-least-once gets them
    List<KeyValue<String, SeatReplacement>> again = new ArrayList<>(calls);
    for (KeyValue<String, SeatReplacement> kv : calls) {
      SeatReplacement r = kv.value;
      again.add(KeyValue.pair("t1", r.toBuilder().appointedAt(r.appointedAt() + 5_000).build()));
    }
    assertThat(replayOf(s, again, c, settledRecords).findings(now + 60_000, 30_000).problems())
        .isEmpty();
  }

  @Test
  void aReplacementStillSilentAtTheNextSeatTimeoutEscalatesToTheReferee() {
    Submitted s = seatZeroSilent("t2");
    List<String> appointed = appointedAtSeatTimeout();
    assertThat(appointed).isNotEmpty();
    assertThat(consensus.isEmpty()).as("the replacements are awaited").isTrue();
    assertThat(refereeRuns).hasValue(0);

    // when the replacements stay silent for one more seat timeout
    driver.advanceWallClockTime(Duration.ofMillis(SEAT_TIMEOUT_MS));

    // then the referee decides, and both the silent seat and its silent replacement miss
    Consensus c = consensus.readValue();
    assertThat(c.escalation()).isEqualTo("missing-seat");
    assertThat(c.label()).isEqualTo(7);
    assertThat(refereeRuns).hasValue(1);
    assertThat(replacements.isEmpty()).as("a task is replaced once").isTrue();
    driver.advanceWallClockTime(Duration.ofMillis(TIMEOUT_MS));
    Map<String, Verdict> settled = new HashMap<>();
    settlements
        .readKeyValuesToList()
        .forEach(kv -> settled.put(kv.key, kv.value.verdict().verdict()));
    assertThat(settled).containsEntry(s.silent(), Verdict.MISSED);
    appointed.forEach(p -> assertThat(settled).containsEntry(p, Verdict.MISSED));
  }

  @Test
  void theReplacedPeersOwnAgreeingVoteIsLateAndUnpaidEvenBeforeTheDecision() {
    Submitted s = seatZeroSilent("t3");
    List<String> appointed = appointedAtSeatTimeout();

    // when the replaced peer's vote comes after its replacement, but before the decision
    driver.advanceWallClockTime(Duration.ofMillis(500));
    cast(s.task(), s.silent(), 7, HONEST);
    assertThat(consensus.isEmpty()).as("the replacements are still awaited").isTrue();
    appointed.forEach(p -> cast(s.task(), p, 7, HONEST));

    // then the replacements decide and are paid; the replaced peer is LATE, unpaid
    Consensus c = consensus.readValue();
    assertThat(c.escalation()).isNull();
    assertThat(verdictOf(c, s.silent()).verdict()).isEqualTo(Verdict.LATE);
    Map<String, PeerVerdict> settled = new HashMap<>();
    settlements.readKeyValuesToList().forEach(kv -> settled.put(kv.key, kv.value.verdict()));
    assertThat(settled.get(s.silent()).verdict()).isEqualTo(Verdict.LATE);
    assertThat(settled.get(s.silent()).reward()).isZero();
    appointed.forEach(p -> assertThat(settled.get(p).reward()).isPositive());
  }

  @Test
  void aDisagreeingVoteOfTheReplacedPeerEscalatesToTheReferee() {
    Submitted s = seatZeroSilent("t4");
    assertThat(appointedAtSeatTimeout()).isNotEmpty();

    cast(s.task(), s.silent(), 2, probabilities(2, 0.91));

    Consensus c = consensus.readValue();
    assertThat(c.escalation()).isEqualTo("disagreement");
    assertThat(c.label()).isEqualTo(7);
    assertThat(refereeRuns).hasValue(1);
    assertThat(verdictOf(c, s.silent()).verdict()).isEqualTo(Verdict.DISAGREED);
  }

  /** A replay fed the task's records as the topics hold them. */
  private LedgerReplay replayOf(
      Submitted s,
      List<KeyValue<String, SeatReplacement>> calls,
      Consensus c,
      List<KeyValue<String, Settlement>> settled) {
    LedgerReplay replay = new LedgerReplay();
    replay.roster(roster);
    replay.task(s.task(), 0, 0, now);
    calls.forEach(kv -> replay.replacement(kv.value));
    replay.consensus(c);
    c.verdicts().stream()
        .filter(v -> v.label() != null)
        .forEach(v -> replay.vote(s.task().taskId(), v.peerId()));
    settled.forEach(kv -> replay.settlement(kv.key, kv.value));
    if (publishedLedger == null) {
      driver.advanceWallClockTime(
          Duration.ofMillis(LedgerProcessor.PUBLISH_INTERVAL_MS)); // the ledger's next publication
      publishedLedger = reputation.readKeyValuesToList();
    }
    publishedLedger.forEach(kv -> replay.published(kv.key, kv.value));
    return replay;
  }
}
