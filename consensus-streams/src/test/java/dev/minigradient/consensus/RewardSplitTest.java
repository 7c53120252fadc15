package dev.minigradient.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minigradient.protocol.AuditResult;
import dev.minigradient.protocol.PeerVerdict;
import dev.minigradient.protocol.Verdict;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link RewardSplit}: who earns a decided task's reward and how it is split, without Kafka. */
class RewardSplitTest {
  private static PeerVerdict verdict(String peer, double weight) {
    return new PeerVerdict(peer, 1, Verdict.AGREED, null, weight, null, 0);
  }

  @Test
  void onlyAnAgreeingVoteInByTheDecisionThatPassedAnyAuditEarns() {
    assertThat(RewardSplit.earns(Verdict.AGREED, null, 1_000, 1_000)).isTrue();
    assertThat(RewardSplit.earns(Verdict.AGREED, AuditResult.PASSED, 900, 1_000)).isTrue();
    assertThat(RewardSplit.earns(Verdict.AGREED, AuditResult.FAILED, 900, 1_000))
        .as("failed audit")
        .isFalse();
    assertThat(RewardSplit.earns(Verdict.AGREED, null, 1_001, 1_000))
        .as("in after the decision, within the grace")
        .isFalse();
    for (Verdict other :
        List.of(
            Verdict.LATE,
            Verdict.DISAGREED,
            Verdict.DRIFTED,
            Verdict.MISSED,
            Verdict.INVALID,
            Verdict.UNDECIDED)) {
      assertThat(RewardSplit.earns(other, null, 900, 1_000)).as(other.name()).isFalse();
    }
  }

  @Test
  void theRewardIsSplitByWeightAmongTheEarnersAndNobodyElseGetsAny() {
    List<PeerVerdict> paid =
        RewardSplit.split(
            List.of(verdict("a", 3), verdict("b", 1), verdict("late", 4)), Set.of("a", "b"));

    assertThat(paid).extracting(PeerVerdict::peerId).containsExactly("a", "b", "late");
    assertThat(paid.get(0).reward()).isCloseTo(0.75 * ReputationRules.TASK_REWARD, within(1e-12));
    assertThat(paid.get(1).reward()).isCloseTo(0.25 * ReputationRules.TASK_REWARD, within(1e-12));
    assertThat(paid.get(2).reward()).isZero();
    assertThat(paid.get(0).weight()).as("everything else kept").isEqualTo(3.0);
  }

  @Test
  void earnersThatAllWeighNothingShareEqually() {
    List<PeerVerdict> paid =
        RewardSplit.split(
            List.of(verdict("a", 0), verdict("b", 0), verdict("c", 0)), Set.of("a", "c"));

    assertThat(paid).extracting(PeerVerdict::reward).containsExactly(0.5, 0.0, 0.5);
  }

  @Test
  void withoutEarnersNobodyIsPaid() {
    List<PeerVerdict> none = List.of(verdict("a", 1), verdict("b", 2));

    assertThat(RewardSplit.split(none, Set.of())).isSameAs(none);
    assertThat(none).extracting(PeerVerdict::reward).containsOnly(0.0);
  }
}
