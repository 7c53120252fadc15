package dev.minigradient.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.consensus.DecisionRule.Ballot;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Quorum}: the weighted tally and the 2/3 quorum, without Kafka. */
class QuorumTest {
  private static final Map<String, Double> WEIGHTS = Map.of("a", 3.0, "b", 1.0, "c", 1.0, "d", 2.0);

  private static Map<String, Ballot> ballots(Object... peerLabelValid) {
    Map<String, Ballot> m = new LinkedHashMap<>();
    for (int i = 0; i < peerLabelValid.length; i += 3) {
      m.put(
          (String) peerLabelValid[i],
          new Ballot((Integer) peerLabelValid[i + 1], (Boolean) peerLabelValid[i + 2]));
    }
    return m;
  }

  @Test
  void eachLabelHoldsTheWeightOfItsValidEligibleVotes() {
    Quorum.Tally t =
        Quorum.tally(WEIGHTS, ballots("a", 4, true, "b", 4, true, "c", 7, true, "x", 4, true));

    assertThat(t.weightOf(4)).isEqualTo(4.0);
    assertThat(t.weightOf(7)).isEqualTo(1.0);
    assertThat(t.weightOf(5)).isZero();
    assertThat(t.weightOf(null)).isZero();
    assertThat(t.labels()).isEqualTo(2);
    assertThat(t.judged()).as("x is not eligible").isEqualTo(3);
    assertThat(t.leader()).isEqualTo(4);
  }

  @Test
  void anInvalidVoteIsJudgedButWeighsNothing() {
    Quorum.Tally t = Quorum.tally(WEIGHTS, ballots("a", 4, false, "b", 2, true));

    assertThat(t.anyInvalid()).isTrue();
    assertThat(t.judged()).isEqualTo(2);
    assertThat(t.weightOf(4)).isZero();
    assertThat(t.leader()).isEqualTo(2);
  }

  @Test
  void tiesGoToTheLowestLabelWhateverTheArrivalOrder() {
    Quorum.Tally oneWay = Quorum.tally(WEIGHTS, ballots("b", 9, true, "c", 3, true));
    Quorum.Tally other = Quorum.tally(WEIGHTS, ballots("c", 3, true, "b", 9, true));
    Quorum.Tally refusal = Quorum.tally(WEIGHTS, ballots("b", 9, true, "c", -1, true));

    assertThat(oneWay.leader()).isEqualTo(3);
    assertThat(other.leader()).isEqualTo(3);
    assertThat(refusal.leader()).as("the refusal label is the lowest").isEqualTo(-1);
    assertThat(Quorum.tally(WEIGHTS, ballots()).leader()).isNull();
  }

  @Test
  void aQuorumIsMoreThanTwoThirdsOfAPositiveTotal() {
    assertThat(Quorum.holds(2, 3)).as("exactly 2/3").isFalse();
    assertThat(Quorum.holds(2.0001, 3)).isTrue();
    assertThat(Quorum.holds(3, 4)).isTrue();
    assertThat(Quorum.holds(0, 0)).isFalse();
    assertThat(Quorum.holds(1, 0)).as("no eligible weight").isFalse();
  }
}
