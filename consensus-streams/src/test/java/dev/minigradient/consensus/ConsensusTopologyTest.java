package dev.minigradient.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.Peer;
import dev.minigradient.protocol.PeerVerdict;
import dev.minigradient.protocol.Reputation;
import dev.minigradient.protocol.Signatures;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.Topics;
import dev.minigradient.protocol.Verdict;
import dev.minigradient.protocol.Vote;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsensusTopologyTest {
  private static final String MODEL = "a".repeat(64);
  private static final long TIMEOUT_MS = 5_000;

  @TempDir Path stateDir;

  private TopologyTestDriver driver;
  private TestInputTopic<String, Task> tasks;
  private TestInputTopic<String, Vote> votes;
  private TestInputTopic<String, Peer> peers;
  private TestOutputTopic<String, Consensus> consensus;
  private TestOutputTopic<String, Reputation> reputation;
  private final Map<String, KeyPair> keys = new HashMap<>();
  private long now;

  @BeforeEach
  void startDriver() {
    ConsensusConfig config =
        new ConsensusConfig(
            "consensus-test",
            new KafkaSettings("localhost:9", Map.of()),
            stateDir,
            TIMEOUT_MS,
            100,
            60_000,
            10,
            true);
    now = System.currentTimeMillis();
    driver =
        new TopologyTestDriver(
            ConsensusTopology.build(config),
            ConsensusTopology.streamsProperties(config),
            Instant.ofEpochMilli(now));
    tasks = driver.createInputTopic(Topics.TASKS.name(), Serdes.String().serializer(), Topics.TASKS.valueSerde().serializer());
    votes = driver.createInputTopic(Topics.VOTES.name(), Serdes.String().serializer(), Topics.VOTES.valueSerde().serializer());
    peers = driver.createInputTopic(Topics.PEERS.name(), Serdes.String().serializer(), Topics.PEERS.valueSerde().serializer());
    consensus = driver.createOutputTopic(Topics.CONSENSUS.name(), Serdes.String().deserializer(), Topics.CONSENSUS.valueSerde().deserializer());
    reputation = driver.createOutputTopic(Topics.REPUTATION.name(), Serdes.String().deserializer(), Topics.REPUTATION.valueSerde().deserializer());
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  private void registerPeers(String... ids) {
    for (String id : ids) {
      KeyPair kp = Signatures.generateKeyPair();
      keys.put(id, kp);
      peers.pipeInput(id, new Peer(1, id, Signatures.encodePublicKey(kp.getPublic()), 100, List.of(MODEL), "test", now, 2_000, false), now);
    }
  }

  private Task submit(String taskId) {
    Task t = new Task(1, taskId, MODEL, new byte[] {1, 2, 3, (byte) taskId.hashCode()}, "image/png", null, now, "test", taskId + ".png");
    t = new Task(1, taskId, MODEL, t.input(), "image/png", dev.minigradient.protocol.Hashes.sha256Hex(t.input()), now, "test", t.name());
    tasks.pipeInput(taskId, t);
    return t;
  }

  private Vote vote(Task task, String peerId, int label) {
    List<Double> p = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      p.add(i == label ? 0.91 : 0.01);
    }
    Vote v = new Vote(1, task.taskId(), peerId, MODEL, task.inputSha256(), label, null, p, 1.5, now, null);
    return Signatures.sign(v, keys.get(peerId).getPrivate());
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
    cast(vote(t, "p1", 7));
    cast(vote(t, "p2", 7));
    assertThat(consensus.isEmpty()).as("2 of 4 is not a quorum").isTrue();
    cast(vote(t, "p3", 7));
    // then the task is decided at once, without waiting for p4 or the deadline
    Consensus c = consensus.readValue();
    assertThat(c.status()).isEqualTo(ConsensusStatus.DECIDED);
    assertThat(c.label()).isEqualTo(7);
    assertThat(c.agreeingWeight()).isEqualTo(3.0);
    assertThat(c.totalWeight()).isEqualTo(4.0);
    assertThat(c.confidence()).isEqualTo(0.91, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(c.verdicts()).extracting(PeerVerdict::verdict)
        .containsExactly(Verdict.AGREED, Verdict.AGREED, Verdict.AGREED, Verdict.MISSED);
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
    cast(vote(t, "p1", 4));
    cast(vote(t, "p2", 4));
    assertThat(consensus.isEmpty()).as("2/3 is not more than 2/3").isTrue();
    // when the wall-clock deadline passes (no new records needed)
    driver.advanceWallClockTime(Duration.ofMillis(TIMEOUT_MS + 200));
    // then the punctuator decides NO_QUORUM, reporting the leading label's weight
    Consensus c = consensus.readValue();
    assertThat(c.status()).isEqualTo(ConsensusStatus.NO_QUORUM);
    assertThat(c.label()).isNull();
    assertThat(c.agreeingWeight()).isEqualTo(2.0);
    assertThat(c.verdicts()).extracting(PeerVerdict::verdict)
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
    Task a = submit("ta");
    cast(vote(a, "p1", 3));
    cast(vote(a, "p2", 5));
    cast(vote(a, "p3", 3));
    cast(vote(a, "p4", 5));
    Task b = submit("tb");
    cast(vote(b, "p4", 5));
    cast(vote(b, "p2", 5));
    cast(vote(b, "p3", 3));
    cast(vote(b, "p1", 3));
    // then both are NO_QUORUM immediately, with the same verdicts
    Consensus ca = consensus.readValue();
    Consensus cb = consensus.readValue();
    assertThat(ca.status()).isEqualTo(ConsensusStatus.NO_QUORUM);
    assertThat(cb.status()).isEqualTo(ConsensusStatus.NO_QUORUM);
    assertThat(ca.agreeingWeight()).isEqualTo(2.0);
    assertThat(ca.verdicts()).isEqualTo(cb.verdicts());
  }

  @Test
  void aDuplicateVoteFromOnePeerIsCountedOnce() {
    // given four peers
    registerPeers("p1", "p2", "p3", "p4");
    Task t = submit("t4");
    // when p1 votes three times (a redelivery after a crash) and p2 once
    cast(vote(t, "p1", 2));
    cast(vote(t, "p1", 2));
    cast(vote(t, "p1", 2));
    cast(vote(t, "p2", 2));
    // then there is no quorum yet: p1 counts once
    assertThat(consensus.isEmpty()).isTrue();
    cast(vote(t, "p3", 2));
    Consensus c = consensus.readValue();
    assertThat(c.agreeingWeight()).isEqualTo(3.0);
    assertThat(consensus.isEmpty()).isTrue();
  }

  @Test
  void aForgedVoteNeitherCountsNorTakesThePeersPlace() {
    registerPeers("p1", "p2", "p3", "p4");
    Task t = submit("t5");
    // given someone else's vote in p4's name, signed with a key that is not p4's
    Vote forged = Signatures.sign(
        new Vote(1, t.taskId(), "p4", MODEL, t.inputSha256(), 9, null, List.of(), 0, now, null),
        Signatures.generateKeyPair().getPrivate());
    cast(forged);
    castAll(t, 1, "p1", "p2");
    assertThat(consensus.isEmpty()).as("the forged vote is not a vote").isTrue();
    // when p4's own vote arrives after it
    cast(vote(t, "p4", 1));
    // then p4's real vote counts: 3 of 4 agree
    Consensus c = consensus.readValue();
    assertThat(c.status()).isEqualTo(ConsensusStatus.DECIDED);
    assertThat(c.label()).isEqualTo(1);
    assertThat(c.verdicts().get(3)).isEqualTo(new PeerVerdict("p4", 1, Verdict.AGREED, null));
  }

  @Test
  void aSignedVoteForTheWrongInputIsInvalidAndCostsThePeer() {
    registerPeers("p1", "p2", "p3", "p4");
    Task t = submit("t13");
    Vote wrong = Signatures.sign(
        new Vote(1, t.taskId(), "p4", MODEL, "0".repeat(64), 1, null, List.of(), 0, now, null),
        keys.get("p4").getPrivate());
    cast(wrong);
    castAll(t, 1, "p1", "p2", "p3");
    Consensus c = consensus.readValue();
    assertThat(c.verdicts().get(3)).isEqualTo(new PeerVerdict("p4", 1, Verdict.INVALID, "wrong-input"));
    assertThat(reputation.readKeyValuesToMap().get("p4").invalid()).isEqualTo(1);
  }

  @Test
  void aVoteArrivingBeforeItsTaskIsCounted() {
    registerPeers("p1", "p2", "p3");
    Task t = new Task(1, "t6", MODEL, new byte[] {9}, "image/png", dev.minigradient.protocol.Hashes.sha256Hex(new byte[] {9}), now, "test", null);
    cast(vote(t, "p1", 6));
    tasks.pipeInput(t.taskId(), t);
    cast(vote(t, "p2", 6));
    cast(vote(t, "p3", 6));
    Consensus c = consensus.readValue();
    assertThat(c.status()).isEqualTo(ConsensusStatus.DECIDED);
    assertThat(c.agreeingWeight()).isEqualTo(3.0);
  }

  @Test
  void rejectingVotesDecideRejectedWithTheReason() {
    registerPeers("p1", "p2", "p3");
    Task t = submit("t7");
    for (String p : List.of("p1", "p2", "p3")) {
      Vote v = new Vote(1, t.taskId(), p, MODEL, t.inputSha256(), Vote.REJECTED, "not-an-image", List.of(), 0.1, now, null);
      cast(Signatures.sign(v, keys.get(p).getPrivate()));
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
    assertThat(consensus.readValue().verdicts().get(3).verdict()).isEqualTo(Verdict.MISSED);
    assertThat(reputation.isEmpty()).as("the ledger waits for the settlement").isTrue();
    // when the slow fourth peer's correct vote arrives before the deadline
    cast(vote(t, "p4", 5));
    // then the ledger settles with four agreements and no second decision
    Map<String, Reputation> latest = reputation.readKeyValuesToMap();
    assertThat(latest).hasSize(4);
    assertThat(latest.values()).allSatisfy(r -> {
      assertThat(r.agreed()).isEqualTo(1);
      assertThat(r.missed()).isZero();
    });
    assertThat(consensus.isEmpty()).isTrue();
  }

  @Test
  void aPeerThatNeverVotesIsMissedWhenTheDeadlineSettlesTheTask() {
    registerPeers("p1", "p2", "p3", "p4");
    Task t = submit("t10");
    castAll(t, 2, "p1", "p2", "p3");
    assertThat(consensus.readValue().status()).isEqualTo(ConsensusStatus.DECIDED);
    driver.advanceWallClockTime(Duration.ofMillis(TIMEOUT_MS + 200));
    Map<String, Reputation> latest = reputation.readKeyValuesToMap();
    assertThat(latest.get("p4").missed()).isEqualTo(1);
    assertThat(latest.get("p4").score()).isLessThan(ReputationRules.INITIAL_SCORE);
    assertThat(latest.get("p1").agreed()).isEqualTo(1);
    // a vote after the settlement changes nothing
    cast(vote(t, "p4", 2));
    assertThat(reputation.isEmpty()).isTrue();
    assertThat(consensus.isEmpty()).isTrue();
  }

  @Test
  void aTaskForAModelNoActivePeerServesIsUnsupportedAtOnce() {
    registerPeers("p1", "p2", "p3");
    Task t = new Task(1, "t11", "b".repeat(64), new byte[] {7}, "image/png",
        dev.minigradient.protocol.Hashes.sha256Hex(new byte[] {7}), now, "test", null);
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
    KeyPair kp = keys.get("p3");
    peers.pipeInput("p3", new Peer(1, "p3", Signatures.encodePublicKey(kp.getPublic()), 100, List.of(MODEL), "test", now - 10_000, 2_000, false), now - 10_000);
    Task t = submit("t12");
    castAll(t, 4, "p1", "p2");
    Consensus c = consensus.readValue();
    assertThat(c.status()).isEqualTo(ConsensusStatus.DECIDED);
    assertThat(c.totalWeight()).isEqualTo(2.0);
  }

  @Test
  void agreementRaisesReputationAndDisagreementLowersIt() {
    registerPeers("p1", "p2", "p3", "p4");
    Task t = submit("t8");
    cast(vote(t, "p1", 8));
    cast(vote(t, "p2", 8));
    cast(vote(t, "p4", 3));
    cast(vote(t, "p3", 8));
    Map<String, Reputation> latest = reputation.readKeyValuesToMap();
    assertThat(latest.get("p1").score()).isGreaterThan(ReputationRules.INITIAL_SCORE);
    assertThat(latest.get("p1").agreed()).isEqualTo(1);
    assertThat(latest.get("p4").score()).isLessThan(ReputationRules.INITIAL_SCORE);
    assertThat(latest.get("p4").disagreed()).isEqualTo(1);
    assertThat(latest.get("p4").stake()).isEqualTo(100.0);
  }
}
