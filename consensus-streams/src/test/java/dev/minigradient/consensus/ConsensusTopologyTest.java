package dev.minigradient.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.minigradient.protocol.AuditResult;
import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.DeadLetters;
import dev.minigradient.protocol.KeyKind;
import dev.minigradient.protocol.PeerVerdict;
import dev.minigradient.protocol.Reputation;
import dev.minigradient.protocol.Roster;
import dev.minigradient.protocol.Sealing;
import dev.minigradient.protocol.Settlement;
import dev.minigradient.protocol.Signatures;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.Topics;
import dev.minigradient.protocol.Verdict;
import dev.minigradient.protocol.Vote;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConsensusTopologyTest extends AbstractTopologyTest {
  private static final long TIMEOUT_MS = 5_000;
  private static final KeyPair SEALING = KeyKind.SEALING.generate();

  /** Weight of a new peer with the default stake: stake x initial reputation. */
  private static final double W = 100 * ReputationRules.INITIAL_SCORE;

  private ConsensusConfig.Committees committees = ConsensusConfig.Committees.DEFAULTS;

  @BeforeEach
  void startDriver() {
    startDriver(0.0, Referee.none());
  }

  /** (Re)starts the driver with an audit rate and a referee. */
  private void startDriver(double auditRate, Referee referee) {
    startDriver(auditRate, referee, true);
  }

  /** (Re)starts the driver with an audit rate, a referee and a processing guarantee. */
  private void startDriver(double auditRate, Referee referee, boolean exactlyOnce) {
    start(
        config("consensus-test", TIMEOUT_MS, exactlyOnce, auditRate, committees),
        referee,
        SEALING.getPrivate());
  }

  /**
   * The ledger entries published so far, by peer, after the ledger's next publication (it publishes
   * the entries updated since the last one every {@link LedgerProcessor#PUBLISH_INTERVAL_MS}).
   */
  private Map<String, Reputation> ledger() {
    driver.advanceWallClockTime(Duration.ofMillis(LedgerProcessor.PUBLISH_INTERVAL_MS));
    return reputation.readKeyValuesToMap();
  }

  /** Whether nothing was published to the ledger, by its next publication. */
  private boolean ledgerIsEmpty() {
    driver.advanceWallClockTime(Duration.ofMillis(LedgerProcessor.PUBLISH_INTERVAL_MS));
    return reputation.isEmpty();
  }

  private void registerPeers(String... ids) {
    for (String id : ids) {
      registerPeer(id, 100);
    }
  }

  private void registerPeer(String id, double stake) {
    registerPeer(id, stake, now);
  }

  private Vote vote(Task task, String peerId, int label) {
    List<Double> p = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      p.add(i == label ? 0.91 : 0.01);
    }
    return signedVote(task, peerId, label, p);
  }

  private void cast(Vote v) {
    votes.pipeInput(v.taskId(), v);
  }

  private void castAll(Task task, int label, String... peerIds) {
    for (String p : peerIds) {
      cast(vote(task, p, label));
    }
  }

  @Test
  void decidesAsSoonAsMoreThanTwoThirdsAgree() {
    // given four peers (n = 3f + 1 with f = 1)
    registerPeers("p1", "p2", "p3", "p4");
    Task t = submit("t1");
    // when three of them vote 7
    castAll(t, 7, "p1", "p2");
    assertThat(consensus.isEmpty()).as("2 of 4 is not a quorum").isTrue();
    cast(vote(t, "p3", 7));
    // then the task is decided at once, without waiting for p4 or the deadline
    Consensus c = readDecided();
    assertThat(c.label()).isEqualTo(7);
    assertThat(c.agreeingWeight()).isEqualTo(3 * W);
    assertThat(c.totalWeight()).isEqualTo(4 * W);
    assertThat(c.confidence()).isEqualTo(0.91, offset(1e-9));
    assertThat(c.verdicts())
        .extracting(PeerVerdict::verdict)
        .containsExactly(Verdict.AGREED, Verdict.AGREED, Verdict.AGREED, Verdict.PENDING);
    // and the late fourth vote does not produce a second consensus
    cast(vote(t, "p4", 7));
    driver.advanceWallClockTime(Duration.ofMillis(TIMEOUT_MS * 2));
    assertThat(consensus.isEmpty()).isTrue();
  }

  @Test
  void twoOfThreeIsNotAQuorumAndTheDeadlineDecidesNoQuorum() {
    // given three peers, one of which never answers
    registerPeers("p1", "p2", "p3");
    Task t = submit("t2");
    castAll(t, 4, "p1", "p2");
    assertThat(consensus.isEmpty()).as("2/3 is not more than 2/3").isTrue();
    // when the wall-clock deadline passes (no new records needed)
    driver.advanceWallClockTime(Duration.ofMillis(TIMEOUT_MS + 200));
    // then the punctuator decides NO_QUORUM, reporting the leading label's weight
    Consensus c = consensus.readValue();
    assertThat(c.status()).isEqualTo(ConsensusStatus.NO_QUORUM);
    assertThat(c.label()).isNull();
    assertThat(c.agreeingWeight()).isEqualTo(2 * W);
    assertThat(c.verdicts())
        .extracting(PeerVerdict::verdict)
        .containsExactly(Verdict.UNDECIDED, Verdict.UNDECIDED, Verdict.MISSED);
  }

  @Test
  void aTaskWithoutVotesTimesOut() {
    registerPeers("p1", "p2", "p3");
    submit("t3");
    driver.advanceWallClockTime(Duration.ofMillis(TIMEOUT_MS - 500));
    assertThat(consensus.isEmpty()).isTrue();
    driver.advanceWallClockTime(Duration.ofMillis(1_000));
    assertThat(consensus.readValue().status()).isEqualTo(ConsensusStatus.TIMED_OUT);
  }

  @Test
  void aTieIsNoQuorumAsSoonAsEveryoneVotedWhateverTheArrivalOrder() {
    // given four peers split 2:2, in two different arrival orders
    registerPeers("p1", "p2", "p3", "p4");
    Map<String, Integer> split = Map.of("p1", 3, "p2", 5, "p3", 3, "p4", 5);
    Task a = submit("ta");
    List.of("p1", "p2", "p3", "p4").forEach(p -> cast(vote(a, p, split.get(p))));
    Task b = submit("tb");
    List.of("p4", "p2", "p3", "p1").forEach(p -> cast(vote(b, p, split.get(p))));
    // then both are NO_QUORUM immediately, with the same verdicts
    Consensus ca = consensus.readValue();
    Consensus cb = consensus.readValue();
    assertThat(ca.status()).isEqualTo(ConsensusStatus.NO_QUORUM);
    assertThat(cb.status()).isEqualTo(ConsensusStatus.NO_QUORUM);
    assertThat(ca.agreeingWeight()).isEqualTo(2 * W);
    assertThat(ca.verdicts()).isEqualTo(cb.verdicts());
  }

  @Test
  void aDuplicateVoteFromOnePeerIsCountedOnce() {
    // given four peers
    registerPeers("p1", "p2", "p3", "p4");
    Task t = submit("t4");
    // when p1 votes three times (a redelivery after a crash) and p2 once
    castAll(t, 2, "p1", "p1", "p1", "p2");
    // then there is no quorum yet: p1 counts once
    assertThat(consensus.isEmpty()).isTrue();
    cast(vote(t, "p3", 2));
    Consensus c = consensus.readValue();
    assertThat(c.agreeingWeight()).isEqualTo(3 * W);
    assertThat(consensus.isEmpty()).isTrue();
  }

  @Test
  void aForgedVoteNeitherCountsNorTakesThePeersPlace() {
    registerPeers("p1", "p2", "p3", "p4");
    Task t = submit("t5");
    // given someone else's vote in p4's name, signed with a key that is not p4's
    Vote forged =
        Signatures.sign(voteFor(t, "p4").label(9).build(), KeyKind.SIGNING.generate().getPrivate());
    cast(forged);
    castAll(t, 1, "p1", "p2");
    assertThat(consensus.isEmpty()).as("the forged vote is not a vote").isTrue();
    // when p4's own vote arrives after it
    cast(vote(t, "p4", 1));
    // then p4's real vote counts: 3 of 4 agree
    Consensus c = readDecided();
    assertThat(c.label()).isEqualTo(1);
    assertThat(c.verdicts().get(3))
        .extracting(PeerVerdict::label, PeerVerdict::verdict)
        .containsExactly(1, Verdict.AGREED);
    assertThat(c.forgedVotes()).isEqualTo(1);
    // and the forged vote went to the dead-letter topic as received, with its reason and offset
    var records = deadLetters().readRecordsToList();
    assertThat(records).hasSize(1);
    assertThat(records.get(0).key()).isEqualTo(t.taskId());
    assertThat(
            Topics.VOTES
                .valueSerde()
                .deserializer()
                .deserialize(Topics.VOTES.name(), records.get(0).value()))
        .isEqualTo(forged);
    assertThat(DeadLetters.header(records.get(0).headers(), DeadLetters.REASON))
        .isEqualTo("bad-signature");
    assertThat(DeadLetters.header(records.get(0).headers(), DeadLetters.TOPIC))
        .isEqualTo(Topics.VOTES.name());
    assertThat(DeadLetters.header(records.get(0).headers(), DeadLetters.OFFSET)).isEqualTo("0");
  }

  @Test
  void aSignedVoteForTheWrongInputIsInvalidAndCostsThePeer() {
    registerPeers("p1", "p2", "p3", "p4");
    Task t = submit("t13");
    Vote wrong = signedBy("p4", voteFor(t, "p4").inputSha256("0".repeat(64)).label(1).build());
    cast(wrong);
    castAll(t, 1, "p1", "p2", "p3");
    Consensus c = consensus.readValue();
    assertThat(c.verdicts().get(3))
        .extracting(PeerVerdict::label, PeerVerdict::verdict, PeerVerdict::reason)
        .containsExactly(1, Verdict.INVALID, "wrong-input");
    assertThat(ledger().get("p4").invalid()).isEqualTo(1);
  }

  @Test
  void aVoteArrivingBeforeItsTaskIsCounted() {
    registerPeers("p1", "p2", "p3");
    Task t = task("t6", new byte[] {9}).build();
    cast(vote(t, "p1", 6));
    tasks.pipeInput(t.taskId(), t);
    castAll(t, 6, "p2", "p3");
    Consensus c = readDecided();
    assertThat(c.agreeingWeight()).isEqualTo(3 * W);
  }

  @Test
  void rejectingVotesDecideRejectedWithTheReason() {
    registerPeers("p1", "p2", "p3");
    Task t = submit("t7");
    for (String p : List.of("p1", "p2", "p3")) {
      Vote v =
          voteFor(t, p).label(Vote.REJECTED).rejection("not-an-image").inferenceMs(0.1).build();
      cast(signedBy(p, v));
    }
    Consensus c = consensus.readValue();
    assertThat(c.status()).isEqualTo(ConsensusStatus.REJECTED);
    assertThat(c.rejection()).isEqualTo("not-an-image");
    assertThat(c.label()).isNull();
  }

  @Test
  void aCorrectVoteAfterAnEarlyDecisionCountsAsAgreementNotAMiss() {
    // given four peers, three of which decide the task before the fourth answers
    registerPeers("p1", "p2", "p3", "p4");
    Task t = submit("t9");
    castAll(t, 5, "p1", "p2", "p3");
    assertThat(consensus.readValue().verdicts().get(3).verdict())
        .as("not yet voted, not yet missed")
        .isEqualTo(Verdict.PENDING);
    assertThat(ledgerIsEmpty()).as("the ledger waits for the settlement").isTrue();
    // when the slow fourth peer's correct vote arrives before the deadline
    cast(vote(t, "p4", 5));
    // then the ledger settles with four agreements and no second decision
    Map<String, Reputation> latest = ledger();
    assertThat(latest).hasSize(4);
    assertThat(latest.values())
        .allSatisfy(
            r -> {
              assertThat(r.agreed()).isEqualTo(1);
              assertThat(r.missed()).isZero();
            });
    assertThat(consensus.isEmpty()).isTrue();
  }

  @Test
  void atLeastOnceADecisionAlreadyPublishedStandsWhenTheTaskIsDecidedAgain() {
    // given the app at at-least-once, restarted after a failure that lost its state for task t:
    // its decision (6) is on inference.consensus, but the restored stores do not know it
    startDriver(0.0, Referee.none(), false);
    registerPeers("p1", "p2", "p3", "p4");
    var published =
        driver.createInputTopic(
            Topics.CONSENSUS.name(),
            Serdes.String().serializer(),
            Topics.CONSENSUS.valueSerde().serializer());
    published.pipeInput(
        "t",
        Consensus.builder()
            .taskId("t")
            .modelId(MODEL)
            .status(ConsensusStatus.DECIDED)
            .label(6)
            .confidence(0.9)
            .agreeingWeight(3 * W)
            .totalWeight(4 * W)
            .submittedAt(now - 5_000)
            .decidedAt(now - 4_000)
            .latencyMs(1_000)
            .build());
    // when the task and votes for another label are read again
    Task t = submit("t");
    castAll(t, 3, "p1", "p2", "p3");
    // then no second, different decision goes out
    assertThat(consensus.isEmpty()).isTrue();
    // and at the deadline neither a timeout: the settlement judges the votes against 6
    driver.advanceWallClockTime(Duration.ofMillis(TIMEOUT_MS + 200));
    assertThat(consensus.isEmpty()).isTrue();
    Map<String, Reputation> latest = ledger();
    assertThat(latest.get("p1").disagreed()).isEqualTo(1);
    assertThat(latest.get("p4").missed()).isEqualTo(1);
    // while a task decided for the first time is decided as usual
    Task u = submit("u");
    castAll(u, 3, "p1", "p2", "p3");
    assertThat(consensus.readValue().label()).isEqualTo(3);
  }

  @Test
  void atLeastOnceASettledTaskLeavesTheStoreAndAVoteAfterItIsDroppedNotDeadLettered() {
    // given the app at at-least-once and a task every peer voted on: decided and settled
    startDriver(0.0, Referee.none(), false);
    registerPeers("p1", "p2", "p3", "p4");
    Task t = submit("t");
    castAll(t, 3, "p1", "p2", "p3", "p4");
    assertThat(consensus.readValue().label()).isEqualTo(3);
    KeyValueStore<String, PendingTask> pendingStore =
        driver.getKeyValueStore(ConsensusTopology.PENDING_STORE);
    assertThat(pendingStore.get("t"))
        .as("the published decision answers for a settled task")
        .isNull();

    // when a vote for it comes after (a peer's retry)
    cast(vote(t, "p1", 3));
    driver.advanceWallClockTime(Duration.ofMillis(TIMEOUT_MS + 200));

    // then it is dropped: no dead letter, no second decision, counted once
    assertThat(deadLetters().isEmpty()).isTrue();
    assertThat(consensus.isEmpty()).isTrue();
    assertThat(pendingStore.get("t")).isNull();
    assertThat(ledger().get("p1").agreed()).isEqualTo(1);
  }

  @Test
  void aPeerThatNeverVotesIsMissedWhenTheDeadlineSettlesTheTask() {
    registerPeers("p1", "p2", "p3", "p4");
    Task t = submit("t10");
    castAll(t, 2, "p1", "p2", "p3");
    readDecided();
    driver.advanceWallClockTime(Duration.ofMillis(TIMEOUT_MS + 200));
    Map<String, Reputation> latest = ledger();
    assertThat(latest.get("p4").missed()).isEqualTo(1);
    assertThat(latest.get("p4").score()).isLessThan(ReputationRules.INITIAL_SCORE);
    assertThat(latest.get("p1").agreed()).isEqualTo(1);
    // a vote after the settlement changes nothing
    cast(vote(t, "p4", 2));
    assertThat(ledgerIsEmpty()).isTrue();
    assertThat(consensus.isEmpty()).isTrue();
  }

  @Test
  void aTaskForAModelNoActivePeerServesIsUnsupportedAtOnce() {
    registerPeers("p1", "p2", "p3");
    Task t = task("t11", new byte[] {7}).modelId("b".repeat(64)).build();
    tasks.pipeInput(t.taskId(), t);
    Consensus c = consensus.readValue();
    assertThat(c.status()).isEqualTo(ConsensusStatus.UNSUPPORTED_MODEL);
    assertThat(c.totalWeight()).isZero();
    assertThat(c.verdicts()).isEmpty();
    driver.advanceWallClockTime(Duration.ofMillis(TIMEOUT_MS * 2));
    assertThat(consensus.isEmpty()).isTrue();
  }

  @Test
  void aPeerWhoseHeartbeatStoppedIsNotEligible() {
    registerPeers("p1", "p2", "p3");
    // p3's last heartbeat (as the broker stamped it) is older than three intervals
    registerPeer("p3", 100, now - 10_000);
    Task t = submit("t12");
    castAll(t, 4, "p1", "p2");
    Consensus c = readDecided();
    assertThat(c.totalWeight()).isEqualTo(2 * W);
  }

  @Test
  void agreementRaisesReputationAndDisagreementLowersIt() {
    registerPeers("p1", "p2", "p3", "p4");
    Task t = submit("t8");
    castAll(t, 8, "p1", "p2");
    cast(vote(t, "p4", 3));
    cast(vote(t, "p3", 8));
    Map<String, Reputation> latest = ledger();
    assertThat(latest.get("p1").score()).isGreaterThan(ReputationRules.INITIAL_SCORE);
    assertThat(latest.get("p1").agreed()).isEqualTo(1);
    assertThat(latest.get("p4").score()).isLessThan(ReputationRules.INITIAL_SCORE);
    assertThat(latest.get("p4").disagreed()).isEqualTo(1);
    assertThat(latest.get("p4").stake()).isEqualTo(100.0);
  }

  /**
   * Runs {@code n} tasks on which {@code honest} vote 1 and {@code liars} vote 2; returns the
   * ledger.
   */
  private Map<String, Reputation> runTasks(int n, List<String> honest, List<String> liars) {
    for (int i = 0; i < n; i++) {
      Task t = submit("run-" + i + "-" + System.nanoTime());
      honest.forEach(p -> cast(vote(t, p, 1)));
      liars.forEach(p -> cast(vote(t, p, 2)));
    }
    consensus.readValuesToList(); // drained: the tests look at what follows
    return ledger();
  }

  @Test
  void stakeOutweighsACountingMajorityOfPeers() {
    // given 7 peers: 3 honest holding 300 of the stake, 4 colluders holding 120 (under 1/3)
    for (String id : List.of("h1", "h2", "h3")) {
      registerPeer(id, 100);
    }
    for (String id : List.of("c1", "c2", "c3", "c4")) {
      registerPeer(id, 30);
    }
    Task t = submit("collude");
    // when the four colluders vote the same wrong label first
    castAll(t, 6, "c1", "c2", "c3", "c4");
    assertThat(consensus.isEmpty())
        .as("4 of 7 peers but under 1/3 of the weight decide nothing")
        .isTrue();
    castAll(t, 2, "h1", "h2", "h3");
    // then the honest 3 decide: they hold more than 2/3 of the weight
    Consensus c = readDecided();
    assertThat(c.label()).isEqualTo(2);
    assertThat(c.support()).isGreaterThan(2.0 / 3);
    assertThat(c.verdicts())
        .filteredOn(v -> v.peerId().startsWith("c"))
        .extracting(PeerVerdict::verdict)
        .containsOnly(Verdict.DISAGREED);
  }

  @Test
  void theLedgerFeedsBackIntoTheWeightOfLaterVotes() {
    // given a liar among four peers
    registerPeers("p1", "p2", "p3", "liar");
    // when it disagrees on 10 tasks
    Map<String, Reputation> ledger = runTasks(10, List.of("p1", "p2", "p3"), List.of("liar"));
    // then its reputation is below every honest peer's, and its weight on the next task too
    assertThat(ledger.get("liar").score()).isLessThan(ledger.get("p1").score());
    Task t = submit("after");
    castAll(t, 1, "p1", "p2", "p3");
    Consensus c = consensus.readValue();
    Map<String, Double> weight = new HashMap<>();
    c.verdicts().forEach(v -> weight.put(v.peerId(), v.weight()));
    assertThat(weight.get("liar")).isLessThan(weight.get("p1") / 2);
    assertThat(weight.get("p1"))
        .isEqualTo(ledger.get("p1").stake() * ledger.get("p1").score(), offset(1e-9));
  }

  @Test
  void newcomersTogetherHoldAtMostAQuarterOfTheEstablishedWeight() {
    // given three established peers (past probation)
    registerPeers("p1", "p2", "p3");
    Map<String, Reputation> ledger =
        runTasks(StakeWeights.PROBATION_VERDICTS, List.of("p1", "p2", "p3"), List.of());
    assertThat(ledger.get("p1").judged()).isEqualTo(StakeWeights.PROBATION_VERDICTS);
    // when ten fresh identities with huge declared stakes join and all vote one label
    List<String> sybils = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      sybils.add("sybil-" + i);
      registerPeer("sybil-" + i, 1_000_000);
    }
    Task t = submit("sybil-attack");
    sybils.forEach(p -> cast(vote(t, p, 9)));
    assertThat(consensus.isEmpty()).as("the newcomers cannot decide").isTrue();
    castAll(t, 4, "p1", "p2", "p3");
    // then the established peers decide, and the newcomers held a quarter of their weight
    Consensus c = readDecided();
    assertThat(c.label()).isEqualTo(4);
    double newcomers =
        c.verdicts().stream()
            .filter(v -> v.peerId().startsWith("sybil"))
            .mapToDouble(PeerVerdict::weight)
            .sum();
    double established = c.totalWeight() - newcomers;
    assertThat(newcomers).isEqualTo(StakeWeights.NEWCOMER_SHARE * established, offset(1e-6));
  }

  @Test
  void twoDifferentSignedVotesForOneTaskAreEquivocationAndSlashed() {
    registerPeers("p1", "p2", "p3", "p4");
    Task t = submit("equivocate");
    // given p4 signs a vote for 3, then a different one for 5
    cast(vote(t, "p4", 3));
    cast(vote(t, "p4", 5));
    castAll(t, 5, "p1", "p2");
    assertThat(consensus.isEmpty()).as("p4's vote no longer counts: 2 of 4").isTrue();
    cast(vote(t, "p3", 5));
    // then p4 is judged INVALID for equivocation and loses a tenth of its stake
    Consensus c = consensus.readValue();
    assertThat(c.verdicts().get(3))
        .extracting(PeerVerdict::verdict, PeerVerdict::reason)
        .containsExactly(Verdict.INVALID, "equivocation");
    Reputation p4 = ledger().get("p4");
    assertThat(p4.invalid()).isEqualTo(1);
    assertThat(p4.slashed()).isEqualTo(100 * ReputationRules.SLASH_INVALID, offset(1e-9));
    assertThat(p4.stake()).isEqualTo(100 * (1 - ReputationRules.SLASH_INVALID), offset(1e-9));
  }

  @Test
  void aSignedVoteForAnotherModelIsInvalidAndSlashed() {
    registerPeers("p1", "p2", "p3", "p4");
    Task t = submit("wrong-model");
    cast(signedBy("p4", voteFor(t, "p4").modelId("c".repeat(64)).label(1).build()));
    castAll(t, 1, "p1", "p2", "p3");
    assertThat(consensus.readValue().verdicts().get(3).reason()).isEqualTo("wrong-model");
    assertThat(ledger().get("p4").slashed()).isPositive();
  }

  @Test
  void aCorrectVoteLaterThanTheGraceAfterTheDecisionIsLate() {
    registerPeers("p1", "p2", "p3", "p4", "p5");
    Task t = submit("late");
    castAll(t, 8, "p1", "p2", "p3", "p4");
    readDecided();
    // when p5's correct vote arrives after the grace period (but before the deadline)
    driver.advanceWallClockTime(Duration.ofMillis(LATE_GRACE_MS + 500));
    cast(vote(t, "p5", 8));
    // then it is LATE: counted in the ledger, lowering its score less than a miss, no reward
    Map<String, Reputation> ledger = ledger();
    assertThat(ledger.get("p5").late()).isEqualTo(1);
    assertThat(ledger.get("p5").rewards()).isZero();
    assertThat(ledger.get("p5").score())
        .isLessThan(ReputationRules.INITIAL_SCORE)
        .isGreaterThan(
            ReputationRules.INITIAL_SCORE
                * (1 - ReputationRules.ALPHA * (1 - ReputationRules.MISSED_TARGET_FACTOR)));
    assertThat(ledger.get("p1").agreed()).isEqualTo(1);
  }

  @Test
  void eachDecidedTaskPaysOneRewardSplitByWeightAmongThoseWhoAgreed() {
    registerPeer("big", 100);
    registerPeer("p2", 50);
    registerPeer("p3", 50);
    registerPeer("wrong", 20);
    Task t = submit("reward");
    castAll(t, 3, "big", "p2", "p3");
    cast(vote(t, "wrong", 4));
    Map<String, Reputation> ledger = ledger();
    double paid = ledger.values().stream().mapToDouble(Reputation::rewards).sum();
    assertThat(paid).isEqualTo(ReputationRules.TASK_REWARD, offset(1e-9));
    assertThat(ledger.get("big").rewards()).isEqualTo(0.5, offset(1e-9));
    assertThat(ledger.get("p2").rewards()).isEqualTo(0.25, offset(1e-9));
    assertThat(ledger.get("wrong").rewards()).isZero();
    assertThat(ledger.get("big").stake()).isEqualTo(100.5, offset(1e-9));
  }

  @Test
  void anAuditCatchesAVoteThatWasNotComputedByTheModel() {
    // given every task is audited, and the referee's re-execution gives label 1 with these odds
    List<Double> honest = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      honest.add(i == 1 ? 0.955 : 0.005);
    }
    startDriver(1.0, (modelId, input) -> new Referee.Reference(1, honest));
    registerPeers("p1", "p2", "p3", "lazy");
    Task t = submit("audited");
    // when the honest peers send the model's output, and a lazy peer the right label with made-up
    // odds
    for (String p : List.of("p1", "p2", "p3")) {
      cast(signedVote(t, p, 1, honest));
    }
    cast(vote(t, "lazy", 1));
    // then the lazy peer agreed, but failed the audit: slashed, score reset, no reward
    Consensus c = consensus.readValue();
    assertThat(c.audited()).isTrue();
    Map<String, Reputation> ledger = ledger();
    assertThat(ledger.get("lazy").auditFailed()).isEqualTo(1);
    assertThat(ledger.get("lazy").score()).isZero();
    assertThat(ledger.get("lazy").slashed())
        .isEqualTo(100 * ReputationRules.SLASH_AUDIT, offset(1e-9));
    assertThat(ledger.get("lazy").rewards()).isZero();
    assertThat(ledger.get("p1").audited()).isEqualTo(1);
    assertThat(ledger.get("p1").auditFailed()).isZero();
    assertThat(ledger.get("p1").rewards()).isEqualTo(1.0 / 3, offset(1e-9));
  }

  @Test
  void anAuditCatchesAWrongLabelEvenWhenItLosesTheVote() {
    startDriver(1.0, (modelId, input) -> new Referee.Reference(1, List.of(0.1, 0.9)));
    registerPeers("p1", "p2", "p3", "p4");
    Task t = submit("audited-2");
    for (String p : List.of("p1", "p2", "p3")) {
      cast(signedVote(t, p, 1, List.of(0.1, 0.9)));
    }
    cast(signedVote(t, "p4", 0, List.of(0.9, 0.1)));
    Map<String, Reputation> ledger = ledger();
    assertThat(ledger.get("p4").disagreed()).isEqualTo(1);
    assertThat(ledger.get("p4").auditFailed()).isEqualTo(1);
    assertThat(ledger.get("p4").stake()).isEqualTo(50.0, offset(1e-9));
  }

  @Test
  void withoutAuditsNoTaskIsAudited() {
    registerPeers("p1", "p2", "p3");
    Task t = submit("not-audited");
    castAll(t, 1, "p1", "p2", "p3");
    assertThat(consensus.readValue().audited()).isFalse();
    assertThat(ledger().get("p1").audited()).isZero();
  }

  @Test
  void sealedVotesAreOpenedAndCountedAndOnesSealedToAnotherKeyAreIgnored() {
    registerPeers("p1", "p2", "p3", "p4");
    Task t = submit("sealed");
    var sealer = Sealing.sealer(SEALING.getPublic());
    var stranger = Sealing.sealer(KeyKind.SEALING.generate().getPublic());
    // given p4's vote sealed to a key that is not the consensus app's
    cast(stranger.seal(vote(t, "p4", 3)));
    // when three peers send sealed votes for 3
    for (String p : List.of("p1", "p2", "p3")) {
      Vote sealed = sealer.seal(vote(t, p, 3));
      assertThat(sealed.isReadable()).isFalse();
      assertThat(sealed.probabilities()).isEmpty();
      cast(sealed);
    }
    // then they are opened, verified and decide; p4's unreadable vote is not a vote
    Consensus c = readDecided();
    assertThat(c.label()).isEqualTo(3);
    assertThat(c.confidence()).isEqualTo(0.91, offset(1e-9));
    assertThat(c.verdicts().get(3).verdict()).isEqualTo(Verdict.PENDING);
  }

  /** Feeds everything the driver saw into a replay, as the replay command reads the topics. */
  private LedgerReplay replayOf(List<Task> submitted, List<Vote> cast) {
    LedgerReplay replay = new LedgerReplay();
    submitted.forEach(t -> replay.task(t.taskId(), now));
    cast.forEach(v -> replay.vote(v.taskId(), v.peerId()));
    consensus.readValuesToList().forEach(replay::consensus);
    settlements.readKeyValuesToList().forEach(kv -> replay.settlement(kv.key, kv.value));
    reputation.readKeyValuesToList().forEach(kv -> replay.published(kv.key, kv.value));
    return replay;
  }

  @Test
  void theLedgerIsAFoldOfTheSettlementLogAndAReplayOfTheTopicsAgrees() {
    // given four peers and tasks that end every way: all agree, one disagrees, one misses, a
    // redelivered vote, a second different vote (equivocation)
    registerPeers("p1", "p2", "p3", "p4");
    List<Task> submitted = new ArrayList<>();
    List<Vote> cast = new ArrayList<>();
    BiConsumer<Task, Vote> send =
        (t, v) -> {
          cast(v);
          cast.add(v);
        };
    Task t1 = submit("r1");
    Task t2 = submit("r2");
    Task t3 = submit("r3");
    Task t4 = submit("r4");
    submitted.addAll(List.of(t1, t2, t3, t4));
    for (String p : List.of("p1", "p2", "p3", "p4")) {
      send.accept(t1, vote(t1, p, 1));
      send.accept(t2, vote(t2, p, p.equals("p4") ? 8 : 2));
    }
    send.accept(t4, vote(t4, "p4", 4));
    send.accept(t4, vote(t4, "p4", 5)); // equivocation
    for (String p : List.of("p1", "p2", "p3")) {
      send.accept(t3, vote(t3, p, 3));
      send.accept(t4, vote(t4, p, 4));
    }
    send.accept(t4, vote(t4, "p1", 4)); // redelivered
    driver.advanceWallClockTime(Duration.ofMillis(TIMEOUT_MS + 200));
    driver.advanceWallClockTime(
        Duration.ofMillis(LedgerProcessor.PUBLISH_INTERVAL_MS)); // the ledger's next publication

    // when the topics are replayed
    LedgerReplay.Findings f = replayOf(submitted, cast).findings(now + TIMEOUT_MS + 200, 0);

    // then the books are consistent, and the replay holds every verdict once
    assertThat(f.problems()).as(f.examples().toString()).isEmpty();
    assertThat(f.tasks()).isEqualTo(4);
    assertThat(f.settlements()).isEqualTo(16);
    assertThat(f.ledger().get("p4").disagreed()).isEqualTo(1);
    assertThat(f.ledger().get("p4").missed()).isEqualTo(1);
    assertThat(f.ledger().get("p4").invalid()).isEqualTo(1);
    assertThat(f.ledger().get("p1").agreed()).isEqualTo(4);
    assertThat(f.ledger().get("p4").stake()).isLessThan(f.ledger().get("p1").stake());
  }

  @Test
  void aReplayIgnoresARepeatedSettlementAndFindsALedgerThatDriftedAndATaskLeftUnexplained() {
    registerPeers("p1", "p2", "p3");
    Task t1 = submit("x1");
    List<Vote> cast = new ArrayList<>();
    for (String p : List.of("p1", "p2", "p3")) {
      Vote v = vote(t1, p, 6);
      cast(v);
      cast.add(v);
    }
    LedgerReplay replay = replayOf(List.of(t1), cast);
    // given a settlement written twice (the second, re-emitted after a failure, is ignored), a
    // ledger entry that does not follow from the log, a task nobody answered, a verdict with no
    // vote behind it, and a decision short of 2/3
    PeerVerdict agreed = new PeerVerdict("p1", 6, Verdict.AGREED, null, 50, null, 0);
    replay.settlement("p1", new Settlement(1, "x1", agreed, now, 100));
    replay.published(
        "p2", Reputation.initial("p2", 0.99, 100).toBuilder().agreed(1).updatedAt(now).build());
    replay.task("lost", now - 60_000);
    replay.settlement(
        "p3", new Settlement(1, "ghost", new PeerVerdict("p3", 2, Verdict.AGREED, null), now, 100));
    replay.consensus(
        Consensus.builder()
            .taskId("weak")
            .modelId(MODEL)
            .status(ConsensusStatus.DECIDED)
            .label(1)
            .confidence(0.9)
            .agreeingWeight(2)
            .totalWeight(3)
            .submittedAt(now)
            .decidedAt(now)
            .build());
    replay.task("weak", now);

    LedgerReplay.Findings f = replay.findings(now, 10_000);

    assertThat(f.consistent()).isFalse();
    assertThat(f.duplicateSettlements()).isEqualTo(1);
    assertThat(f.ledger().get("p1").agreed()).isEqualTo(1);
    assertThat(f.problems())
        .containsEntry("task without consensus, dead letter or pending deadline", 1L)
        .containsEntry("verdict without a vote on inference.votes", 1L)
        .containsEntry("decided without more than 2/3 of the weight", 1L)
        .containsKey("published ledger differs from the replay");
    assertThat(f.examples().get("published ledger differs from the replay"))
        .anySatisfy(e -> assertThat(e).startsWith("p2: score"));
    assertThat(f.examples().get("task without consensus, dead letter or pending deadline"))
        .containsExactly("lost");
  }

  /**
   * Publishes a roster in effect for every task: the given peers, weight 1, three seats by default.
   */
  private void publishRoster(String... ids) {
    var published = new Roster(Roster.SCHEMA_VERSION, 0, "b".repeat(64), 3, members(ids));
    rosters.pipeInput(published.key(), published, now);
  }

  /** Odds of the referee's answer 1 in the committee tests: a near-tie between 1 and 2. */
  private static final List<Double> NEAR_TIE =
      List.of(0.0, 0.50002, 0.49998, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);

  /**
   * Starts the app with a referee that answers 1 with {@link #NEAR_TIE} odds, registers p1 to p3
   * and seats them all on the roster, and submits a task.
   */
  private Task committeeTask(double auditRate, String taskId) {
    startDriver(auditRate, (modelId, input) -> new Referee.Reference(1, NEAR_TIE));
    registerPeers("p1", "p2", "p3");
    publishRoster("p1", "p2", "p3");
    return submit(taskId);
  }

  /** Casts the referee's own answer (1, {@link #NEAR_TIE}) as each peer's vote. */
  private void castRefereesAnswer(Task task, String... peerIds) {
    for (String p : peerIds) {
      cast(signedVote(task, p, 1, NEAR_TIE));
    }
  }

  @Test
  void aUnanimousCommitteeDecidesAndItsSeatsShareTheReward() {
    // given three peers on a roster of three seats: each holds one
    registerPeers("p1", "p2", "p3", "p4");
    publishRoster("p1", "p2", "p3");
    Task t = submit("seated");
    // when the seats vote 4, and an unseated peer votes 5
    cast(vote(t, "p4", 5));
    castAll(t, 4, "p1", "p2", "p3");
    // then the seats decide alone, one inference each, and split the reward
    Consensus c = readDecided();
    assertThat(c.label()).isEqualTo(4);
    assertThat(c.committee()).containsExactly("p1", "p2", "p3");
    assertThat(c.escalation()).isNull();
    assertThat(c.inferences()).isEqualTo(3);
    assertThat(c.verdicts()).extracting(PeerVerdict::peerId).containsExactly("p1", "p2", "p3");
    assertThat(c.verdicts()).extracting(PeerVerdict::reward).containsOnly(1.0 / 3);
  }

  @Test
  void aSeatThatDisagreesSendsTheTaskToTheRefereeWhichDecidesAndSlashesTheLiar() {
    Task t = committeeTask(0.0, "disputed");
    castRefereesAnswer(t, "p1", "p2");
    cast(vote(t, "p3", 2));
    Consensus c = consensus.readValue();
    assertThat(c.label()).isEqualTo(1);
    assertThat(c.escalation()).isEqualTo("disagreement");
    assertThat(c.inferences()).isEqualTo(4);
    assertThat(verdictOf(c, "p3").verdict()).isEqualTo(Verdict.DISAGREED);
    assertThat(verdictOf(c, "p3").audit()).isEqualTo(AuditResult.FAILED);
    assertThat(verdictOf(c, "p1").reward()).isEqualTo(0.5);
    Map<String, Reputation> ledger = ledger();
    assertThat(ledger.get("p3").score()).isZero();
    assertThat(ledger.get("p3").stake()).isEqualTo(100 * (1 - ReputationRules.SLASH_AUDIT));
    assertThat(ledger.get("p1").slashed()).isZero();
  }

  @Test
  void aSeatWhoseOddsMatchTheRefereesButWhoseLabelFlippedDriftedAndKeepsItsStake() {
    Task t = committeeTask(0.0, "drift");
    castRefereesAnswer(t, "p1", "p2");
    cast(signedVote(t, "p3", 2, List.of(0.0, 0.49999, 0.50001, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)));
    Consensus c = consensus.readValue();
    assertThat(c.label()).isEqualTo(1);
    assertThat(verdictOf(c, "p3").verdict()).isEqualTo(Verdict.DRIFTED);
    assertThat(verdictOf(c, "p3").audit()).isEqualTo(AuditResult.PASSED);
    assertThat(verdictOf(c, "p3").reward()).isZero();
    Map<String, Reputation> ledger = ledger();
    assertThat(ledger.get("p3").slashed()).isZero();
    assertThat(ledger.get("p3").score()).isEqualTo(ReputationRules.INITIAL_SCORE);
  }

  @Test
  void aSilentSeatSendsTheTaskToTheRefereeAtTheDeadlineAndIsMissed() {
    Task t = committeeTask(0.0, "silent");
    castRefereesAnswer(t, "p1", "p2");
    assertThat(consensus.isEmpty()).as("a seat is still silent").isTrue();
    driver.advanceWallClockTime(Duration.ofMillis(TIMEOUT_MS + 200));
    Consensus c = consensus.readValue();
    assertThat(c.label()).isEqualTo(1);
    assertThat(c.escalation()).isEqualTo("missing-seat");
    assertThat(verdictOf(c, "p3").verdict()).isEqualTo(Verdict.MISSED);
    assertThat(verdictOf(c, "p3").audit()).isNull();
    assertThat(verdictOf(c, "p1").audit()).isEqualTo(AuditResult.PASSED);
    assertThat(ledger().get("p3").missed()).isEqualTo(1);
  }

  @Test
  void anAuditedTaskOnWhichTheSeatsAgreeOnAWrongAnswerIsDecidedByTheReferee() {
    Task t = committeeTask(1.0, "collusion");
    castAll(t, 7, "p1", "p2", "p3");
    Consensus c = consensus.readValue();
    assertThat(c.label()).isEqualTo(1);
    assertThat(c.escalation()).isEqualTo("audit");
    assertThat(c.verdicts()).extracting(PeerVerdict::audit).containsOnly(AuditResult.FAILED);
    assertThat(c.verdicts()).extracting(PeerVerdict::reward).containsOnly(0.0);
    assertThat(ledger().values()).allSatisfy(r -> assertThat(r.auditFailed()).isEqualTo(1));
  }

  @Test
  void aPeerThatDeclaresAHugeStakeCountsOnlyItsBondAndCannotBuyTheDecision() {
    // given three peers with the usual stake and a fourth declaring a million
    registerPeers("p1", "p2", "p3");
    registerPeer("whale", 1_000_000);
    Task t = submit("whale");
    // when the whale votes 3 and the others 7
    cast(vote(t, "whale", 3));
    castAll(t, 7, "p1", "p2", "p3");
    // then the others decide: the whale weighs as much as any newcomer
    Consensus c = readDecided();
    assertThat(c.label()).isEqualTo(7);
    assertThat(c.totalWeight()).isEqualTo(4 * W);
  }

  @Test
  void aTaskOrAVoteUnderAnotherTasksKeyIsDeadLetteredAndCostsNoPeerAnything() {
    registerPeers("p1", "p2", "p3");
    Task real = submit("real");
    Task other = submit("other");
    // given a task filed under another key, and p1's signed vote for "real" replayed under "other"
    tasks.pipeInput("wrong-key", real);
    votes.pipeInput("other", vote(real, "p1", 5));
    // when the three peers answer "other" honestly
    castAll(other, 2, "p1", "p2", "p3");
    // then "other" is decided with p1 agreeing (the replayed vote was not judged against it)
    Consensus c = consensus.readValue();
    assertThat(c.taskId()).isEqualTo("other");
    assertThat(c.verdicts()).extracting(PeerVerdict::verdict).containsOnly(Verdict.AGREED);
    // and both misfiled records are dead letters with their reason
    assertThat(deadLetters().readRecordsToList())
        .extracting(
            r ->
                r.key()
                    + " "
                    + DeadLetters.header(r.headers(), DeadLetters.REASON)
                    + " "
                    + DeadLetters.header(r.headers(), DeadLetters.TOPIC))
        .containsExactlyInAnyOrder(
            "wrong-key key-mismatch " + Topics.TASKS.name(),
            "other key-mismatch " + Topics.VOTES.name());
  }
}
