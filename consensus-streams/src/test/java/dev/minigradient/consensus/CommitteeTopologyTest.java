package dev.minigradient.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.minigradient.protocol.AuditResult;
import dev.minigradient.protocol.Committee;
import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.PeerVerdict;
import dev.minigradient.protocol.Redundancy;
import dev.minigradient.protocol.Roster;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Committees in the consensus topology: seats, unanimity, escalation to the referee, drift,
 * rosters.
 */
class CommitteeTopologyTest extends AbstractTopologyTest {
  private static final long TIMEOUT_MS = 5_000;
  private static final long SEAT_TIMEOUT_MS = 2_000;
  private static final List<Double> HONEST = probabilities(7, 0.91);

  private long taskOffset;

  private void start(Referee referee, int redundancy) {
    ConsensusConfig.Committees committees =
        new ConsensusConfig.Committees(redundancy, 1_000, 0.0, SEAT_TIMEOUT_MS);
    start(config("committee-test", TIMEOUT_MS, false, 0.0, committees), referee, null);
  }

  /** Submits a task and returns it with the committee every peer computes for it. */
  private Submitted submit(String taskId, Integer redundancy) {
    byte[] input = {1, 2, 3, (byte) taskId.hashCode()};
    Task t = task(taskId, input).redundancy(redundancy).build();
    long offset = taskOffset++;
    tasks.pipeInput(taskId, t, now);
    return new Submitted(
        t,
        Committee.draw(roster, MODEL, redundancy, Committee.seed(roster.beacon(), 0, offset, now)));
  }

  private record Submitted(Task task, Committee committee) {
    List<String> seated() {
      return new ArrayList<>(new TreeSet<>(committee.seats()));
    }
  }

  /**
   * Starts the app with three seats per task over p1 to p8 and submits a task that every seat
   * answers 7 with {@link #HONEST} odds.
   */
  private Submitted answeredBySeats(Referee referee, String taskId) {
    start(referee, 3);
    network(3, ids(8));
    Submitted s = submit(taskId, null);
    s.seated().forEach(p -> cast(s.task(), p, 7, HONEST));
    return s;
  }

  /** The first of {@code ids} that holds no seat on the task's committee. */
  private static String firstUnseated(Submitted s, String... ids) {
    return Arrays.stream(ids).filter(p -> !s.committee().seats(p)).findFirst().orElseThrow();
  }

  /** A replay that has read these rosters, then the task and its decision {@code c}. */
  private LedgerReplay replayOf(Submitted s, Consensus c, Roster... rosters) {
    LedgerReplay replay = new LedgerReplay();
    for (Roster r : rosters) {
      replay.roster(r);
    }
    replay.task(s.task(), 0, 0, now);
    replay.consensus(c);
    return replay;
  }

  private void cast(Task task, String peerId, int label, List<Double> p) {
    votes.pipeInput(task.taskId(), signedVote(task, peerId, label, p), now);
  }

  @Test
  void seatsThatAllAgreeDecideWithoutHearingFromUnseatedPeers() {
    start(Referee.none(), 3);
    network(3, ids(8));
    Submitted s = submit("t1", null);
    // three draws, or more when they all seat one peer (Committee.MIN_DISTINCT; the beacon, and so
    // the draw, changes with the clock)
    assertThat(s.committee().seats()).hasSizeGreaterThanOrEqualTo(3);
    double seats = s.committee().seats().size();
    assertThat(s.committee().everyone()).isFalse();
    // an unseated peer's vote is ignored
    String unseated = firstUnseated(s, ids(8));
    cast(s.task(), unseated, 2, probabilities(2, 0.91));
    s.seated().forEach(p -> cast(s.task(), p, 7, HONEST));
    Consensus c = readDecided();
    assertThat(c.label()).isEqualTo(7);
    assertThat(c.committee()).isEqualTo(s.committee().seats());
    assertThat(c.escalation()).isNull();
    assertThat(c.inferences()).isEqualTo(s.seated().size());
    assertThat(c.agreeingWeight()).isEqualTo(seats).isEqualTo(c.totalWeight());
    assertThat(c.verdicts()).extracting(PeerVerdict::peerId).containsExactlyElementsOf(s.seated());
    // rewards go to seats, by seats held; only seated peers are settled, never the others as MISSED
    assertThat(c.verdicts()).allMatch(v -> v.verdict() == Verdict.AGREED);
    assertThat(c.verdicts().stream().mapToDouble(PeerVerdict::reward).sum())
        .isCloseTo(ReputationRules.TASK_REWARD, offset(1e-9));
    List<String> settled = settlements.readKeyValuesToList().stream().map(kv -> kv.key).toList();
    assertThat(settled).containsExactlyInAnyOrderElementsOf(s.seated());
  }

  @Test
  void aDisagreeingSeatEscalatesToTheRefereeAndFailsItsAudit() {
    start((model, input) -> new Referee.Reference(7, HONEST), 3);
    network(3, ids(8));
    Submitted s = submit("t2", null);
    List<String> seated = s.seated();
    String liar = seated.get(0);
    cast(s.task(), liar, 3, probabilities(3, 0.91));
    for (String p : seated.subList(1, seated.size())) {
      cast(s.task(), p, 7, HONEST);
    }
    Consensus c = readDecided();
    assertThat(c.label()).as("the referee's answer").isEqualTo(7);
    assertThat(c.escalation()).isIn("disagreement");
    assertThat(c.inferences()).isEqualTo(seated.size() + 1);
    PeerVerdict lied = verdictOf(c, liar);
    assertThat(lied.verdict()).isEqualTo(Verdict.DISAGREED);
    assertThat(lied.audit()).isEqualTo(AuditResult.FAILED);
    assertThat(lied.reward()).isZero();
  }

  @Test
  void aSilentSeatWithNobodyLeftToReplaceItEscalatesAtTheSeatTimeoutAndTheRefereeDecides() {
    start((model, input) -> new Referee.Reference(7, HONEST), 3);
    network(3, ids(3)); // every candidate holds a seat: no replacement is left
    Submitted s = submit("t3", null);
    List<String> seated = s.seated();
    for (String p : seated.subList(1, seated.size())) {
      cast(s.task(), p, 7, HONEST);
    }
    assertThat(consensus.isEmpty()).isTrue();
    // the seat timeout escalates at once: the referee decides
    driver.advanceWallClockTime(Duration.ofMillis(SEAT_TIMEOUT_MS + 200));
    assertThat(replacements.isEmpty()).as("nobody appointed").isTrue();
    Consensus c = readDecided();
    assertThat(c.label()).isEqualTo(7);
    assertThat(c.escalation()).isEqualTo("missing-seat");
    assertThat(verdictOf(c, seated.get(0)).verdict()).isEqualTo(Verdict.PENDING);
    // a vote more than the grace after the decision is LATE; silence to the deadline is MISSED
    assertThat(settlements.isEmpty()).isTrue();
    driver.advanceWallClockTime(Duration.ofMillis(TIMEOUT_MS - SEAT_TIMEOUT_MS));
    Map<String, Verdict> settled = new HashMap<>();
    settlements
        .readKeyValuesToList()
        .forEach(kv -> settled.put(kv.key, kv.value.verdict().verdict()));
    assertThat(settled).containsEntry(seated.get(0), Verdict.MISSED);
  }

  @Test
  void aNearTieFlippedByOtherHardwareIsDriftAndNeverSlashed() {
    // the model's two top classes are a near-tie: 3 at 0.50003, 2 at 0.49997
    List<Double> ref = new ArrayList<>(Collections.nCopies(10, 0.0));
    ref.set(3, 0.50003);
    ref.set(2, 0.49997);
    start((model, input) -> new Referee.Reference(3, ref), 3);
    network(3, ids(8));
    Submitted s = submit("t4", null);
    List<String> seated = s.seated();
    // one seat's hardware computes 2 at 0.500005 and 3 at 0.499995: argmax flips, within 1e-4
    List<Double> flipped = new ArrayList<>(ref);
    flipped.set(3, 0.499995);
    flipped.set(2, 0.500005);
    cast(s.task(), seated.get(0), 2, flipped);
    for (String p : seated.subList(1, seated.size())) {
      cast(s.task(), p, 3, ref);
    }
    Consensus c = consensus.readValue();
    assertThat(c.escalation()).isEqualTo("disagreement");
    assertThat(c.label()).isEqualTo(3);
    PeerVerdict drifted = verdictOf(c, seated.get(0));
    assertThat(drifted.verdict()).isEqualTo(Verdict.DRIFTED);
    assertThat(drifted.audit()).isEqualTo(AuditResult.PASSED);
    assertThat(
            ReputationRules.apply(ReputationRules.initial(seated.get(0), 100), drifted, now)
                .slashed())
        .isZero();
  }

  @Test
  void redundancyAllServesEveryActivePeerWithTheTwoThirdsQuorum() {
    start(Referee.none(), 3);
    network(3, ids(4));
    Submitted s = submit("t5", Redundancy.ALL);
    for (String p : List.of("p1", "p2", "p3")) {
      cast(s.task(), p, 7, HONEST);
    }
    Consensus c = readDecided();
    assertThat(c.committee()).isEmpty();
    assertThat(c.verdicts())
        .extracting(PeerVerdict::peerId)
        .containsExactly("p1", "p2", "p3", "p4");
  }

  @Test
  void aNetworkNoLargerThanTheCommitteeSeatsEveryPeerOnce() {
    start(Referee.none(), 3);
    network(3, ids(3));
    Submitted s = submit("t6", 5);
    assertThat(s.committee().everyone()).isTrue();
    for (String p : ids(3)) {
      cast(s.task(), p, 7, HONEST);
    }
    Consensus c = readDecided();
    assertThat(c.committee()).containsExactly("p1", "p2", "p3");
  }

  @Test
  void theAppPublishesTheNextEpochsRosterOnceWithItsActivePeers() {
    start(Referee.none(), 5);
    for (String id : ids(2)) {
      registerPeer(id, 100, now);
    }
    driver.advanceWallClockTime(Duration.ofMillis(150));
    driver.advanceWallClockTime(Duration.ofMillis(150));
    List<Roster> out = publishedRosters.readValuesToList();
    assertThat(out).isNotEmpty();
    Roster r = out.get(0);
    long nowThen = now + 150;
    assertThat(r.effectiveFrom())
        .isGreaterThan(nowThen - 1_000)
        .isLessThanOrEqualTo(nowThen + 1_000 + 150);
    assertThat(r.effectiveFrom() % 1_000).isZero();
    assertThat(r.defaultRedundancy()).isEqualTo(5);
    assertThat(r.beacon()).hasSize(64);
    assertThat(r.members()).extracting(Roster.Member::peerId).containsExactly("p1", "p2");
    assertThat(r.members()).allMatch(m -> m.weight() > 0 && m.models().contains(MODEL));
    assertThat(out.stream().map(Roster::effectiveFrom).distinct().count())
        .as("one roster per epoch")
        .isEqualTo(out.size());
  }

  @Test
  void replayReDerivesEveryCommitteeAndFlagsAVerdictOfAPeerWithoutASeat() {
    Submitted s = answeredBySeats((model, input) -> new Referee.Reference(7, HONEST), "t7");
    driver.advanceWallClockTime(Duration.ofMillis(TIMEOUT_MS + 200));
    Consensus c = consensus.readValue();
    LedgerReplay replay = replayOf(s, c, roster);
    s.seated().forEach(p -> replay.vote(s.task().taskId(), p));
    settlements.readKeyValuesToList().forEach(kv -> replay.settlement(kv.key, kv.value));
    driver.advanceWallClockTime(
        Duration.ofMillis(LedgerProcessor.PUBLISH_INTERVAL_MS)); // the ledger's next publication
    reputation.readKeyValuesToList().forEach(kv -> replay.published(kv.key, kv.value));
    assertThat(replay.findings(now + 60_000, 30_000).problems()).isEmpty();

    // a record claiming another committee, with a verdict of an unseated peer, is caught
    String unseated = firstUnseated(s, ids(8));
    List<PeerVerdict> verdicts = new ArrayList<>(c.verdicts());
    verdicts.add(new PeerVerdict(unseated, 7, Verdict.AGREED, null));
    List<String> seats = new ArrayList<>(c.committee());
    seats.set(0, unseated);
    LedgerReplay forged =
        replayOf(s, c.toBuilder().verdicts(verdicts).committee(seats).build(), roster);
    assertThat(forged.findings(now + 60_000, 30_000).problems())
        .containsKeys(
            "committee differs from the draw",
            "verdict of a peer without a seat",
            "decided task never settled");
  }

  @Test
  void replayAcceptsACommitteeDrawnFromAnEarlierRosterOfTheSameEpoch() {
    Submitted s = answeredBySeats(Referee.none(), "t8");
    Consensus c = consensus.readValue();
    // the epoch's roster published again, by an instance that took over, with other members
    Roster again =
        new Roster(
            Roster.SCHEMA_VERSION, roster.effectiveFrom(), "other-beacon", 3, members(ids(4)));
    LedgerReplay replay = replayOf(s, c, roster, again);
    assertThat(replay.findings(now, 30_000).problems())
        .doesNotContainKeys("committee differs from the draw", "verdict of a peer without a seat");
    // a committee no version of the epoch's roster draws is still flagged
    LedgerReplay only = replayOf(s, c, again);
    assertThat(only.findings(now, 30_000).problems())
        .containsKey("committee differs from the draw");
  }

  @Test
  void replayAcceptsACommitteeDrawnFromThePreviousRosterWhenTheEpochsRosterReachedTheTopicLate() {
    Submitted s = answeredBySeats(Referee.none(), "t9");
    Consensus c = consensus.readValue();
    // the next epoch's roster, in effect at the task's arrival, but other members
    assertThat(roster.effectiveFrom()).isLessThan(now);
    Roster next = new Roster(Roster.SCHEMA_VERSION, now, "next-beacon", 3, members(ids(4)));

    // when it reached the topic after the task arrived (a broker was down), the committee drawn
    // from the roster before stands
    LedgerReplay late = new LedgerReplay();
    late.roster(roster, roster.effectiveFrom() - 1_000);
    late.roster(next, now + 500);
    late.task(s.task(), 0, 0, now);
    late.consensus(c);
    assertThat(late.findings(now, 30_000).problems())
        .doesNotContainKeys("committee differs from the draw", "verdict of a peer without a seat");

    // when it was on the topic before the task arrived, the same committee is flagged
    LedgerReplay onTime = new LedgerReplay();
    onTime.roster(roster, roster.effectiveFrom() - 1_000);
    onTime.roster(next, now - 500);
    onTime.task(s.task(), 0, 0, now);
    onTime.consensus(c);
    assertThat(onTime.findings(now, 30_000).problems())
        .containsKey("committee differs from the draw");
  }
}
