package dev.minigradient.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.consensus.Eligibility.Admission;
import dev.minigradient.protocol.Committee;
import dev.minigradient.protocol.Peer;
import dev.minigradient.protocol.Roster;
import dev.minigradient.protocol.Vote;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Eligibility}: who may vote on a task and which vote counts, without Kafka. */
class EligibilityTest {
  private static final String MODEL = "m";
  private static final String INPUT = "ab".repeat(32);

  private static PendingTask task(boolean committee) {
    PendingTask p = new PendingTask();
    p.modelId = MODEL;
    p.inputSha256 = INPUT;
    p.eligible.put("a", 1.0);
    if (committee) {
      p.committee.add("a");
    }
    return p;
  }

  private static Vote vote(String model, String input) {
    return Vote.builder()
        .taskId("t")
        .peerId("a")
        .modelId(model)
        .inputSha256(input)
        .label(3)
        .probabilities(List.of())
        .inferenceMs(1.0)
        .votedAt(0)
        .build();
  }

  private static PendingTask.CountedVote counted(String signature, String payload, String reason) {
    return new PendingTask.CountedVote(
        3, null, List.of(), reason == null, reason, 0, signature, payload);
  }

  @Test
  void drawnSeatsWeighTheSeatsHeldAndEveryoneSeatedWeighsItsRosterWeight() {
    Roster roster =
        new Roster(
            Roster.SCHEMA_VERSION,
            0,
            "c".repeat(64),
            3,
            List.of(
                new Roster.Member("a", 0.7, List.of(MODEL)),
                new Roster.Member("b", 0.2, List.of(MODEL))));

    assertThat(Eligibility.seats(new Committee(List.of("b", "a", "b"), false), roster))
        .containsExactly(Map.entry("b", 2.0), Map.entry("a", 1.0));
    assertThat(Eligibility.seats(new Committee(List.of("a", "b"), true), roster))
        .containsExactly(Map.entry("a", 0.7), Map.entry("b", 0.2));
  }

  @Test
  void withACommitteeOnlyASeatedPeersVoteIsJudged() {
    PendingTask p = task(true);

    assertThat(Eligibility.admit(p, "a", true)).isEqualTo(Admission.ELIGIBLE);
    assertThat(Eligibility.admit(p, "x", true))
        .as("active and serving, but unseated")
        .isEqualTo(Admission.NO_SEAT);
  }

  @Test
  void withoutACommitteeAnActivePeerServingTheModelJoinsLate() {
    PendingTask p = task(false);

    assertThat(Eligibility.admit(p, "a", false))
        .as("eligible since arrival")
        .isEqualTo(Admission.ELIGIBLE);
    assertThat(Eligibility.admit(p, "x", true)).isEqualTo(Admission.LATE_JOINER);
    assertThat(Eligibility.admit(p, "x", false)).isEqualTo(Admission.NOT_SERVING);
  }

  @Test
  void aSignedVoteForAnotherModelOrInputIsInvalid() {
    PendingTask p = task(true);

    assertThat(Eligibility.invalidReason(p, vote(MODEL, INPUT))).isNull();
    assertThat(Eligibility.invalidReason(p, vote("other", INPUT))).isEqualTo("wrong-model");
    assertThat(Eligibility.invalidReason(p, vote(MODEL, "cd".repeat(32)))).isEqualTo("wrong-input");
    assertThat(Eligibility.invalidReason(p, vote("other", "cd".repeat(32))))
        .as("the model first")
        .isEqualTo("wrong-model");
  }

  @Test
  void aRedeliveryIsIgnoredAndADifferentSecondVoteIsEquivocation() {
    PendingTask.CountedVote first = counted("sig-1", "payload-1", null);

    assertThat(Eligibility.isRepeat(null, "sig-1", "payload-1")).as("a first vote").isFalse();
    assertThat(Eligibility.isRepeat(first, "sig-1", "payload-1")).isTrue();
    assertThat(Eligibility.isRepeat(first, "sig-2", "payload-1")).isFalse();
    assertThat(Eligibility.isRepeat(first, "sig-1", "payload-2"))
        .as("another vote of the same signed batch")
        .isFalse();
    assertThat(Eligibility.equivocates(first, "payload-1"))
        .as("the same vote signed again")
        .isFalse();
    assertThat(Eligibility.equivocates(first, "payload-2")).isTrue();
    PendingTask.CountedVote stopped = first.invalid(Eligibility.EQUIVOCATION);
    assertThat(Eligibility.isRepeat(stopped, "sig-3", "payload-3"))
        .as("nothing more is judged")
        .isTrue();
    assertThat(
            Eligibility.isRepeat(
                counted("sig-1", "payload-1", "wrong-input"), "sig-3", "payload-1"))
        .isFalse();
  }

  @Test
  void aPeerServesATaskWhileItsHeartbeatIsFreshItIsNotLeavingAndItServesTheModel() {
    Peer peer =
        new Peer(Peer.SCHEMA_VERSION, "a", "", 100, List.of(MODEL), "test", 0, 1_000, false);
    Peer leaving =
        new Peer(Peer.SCHEMA_VERSION, "a", "", 100, List.of(MODEL), "test", 0, 1_000, true);
    long lastFresh = Peer.ACTIVE_HEARTBEATS * 1_000L;

    assertThat(Eligibility.activeAndServing(peer, 0, MODEL, lastFresh)).isTrue();
    assertThat(Eligibility.activeAndServing(peer, 0, MODEL, lastFresh + 1))
        .as("heartbeat too old")
        .isFalse();
    assertThat(Eligibility.activeAndServing(peer, 0, "other", 0)).as("another model").isFalse();
    assertThat(Eligibility.activeAndServing(leaving, 0, MODEL, 0)).isFalse();
    assertThat(Eligibility.activeAndServing(null, 0, MODEL, 0)).as("not registered").isFalse();
  }
}
