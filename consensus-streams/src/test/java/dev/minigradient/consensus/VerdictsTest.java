package dev.minigradient.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minigradient.protocol.AuditResult;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.PeerVerdict;
import dev.minigradient.protocol.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Verdicts}: the verdict, audit and reward rules the processor and the trial share, without
 * Kafka.
 */
class VerdictsTest {
  private static final List<Double> MODEL = List.of(0.1, 0.8, 0.1);
  private static final List<Double> MADE_UP = List.of(0.05, 0.9, 0.05);

  private static PendingTask.CountedVote vote(int label, List<Double> probabilities, long at) {
    return new PendingTask.CountedVote(label, null, probabilities, true, null, at, null, null);
  }

  private static PendingTask decided(int label) {
    PendingTask p = new PendingTask();
    p.status = ConsensusStatus.DECIDED;
    p.leader = label;
    p.decidedAt = 1_000;
    return p;
  }

  @Test
  void aPeerHoldingTwoOfThreeSeatsEarnsTwoThirdsOfTheReward() {
    PendingTask p = decided(1);
    p.eligible.put("double", 2.0);
    p.eligible.put("single", 1.0);
    p.votes.put("double", vote(1, MODEL, 900));
    p.votes.put("single", vote(1, MODEL, 950));

    List<PeerVerdict> v = Verdicts.of(p, 1_000, true);

    assertThat(v).extracting(PeerVerdict::peerId).containsExactly("double", "single");
    assertThat(v.get(0).reward()).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(v.get(1).reward()).isCloseTo(1.0 / 3, within(1e-12));
  }

  @Test
  void anAuditFailsMadeUpOddsEvenWithTheRightLabelAndTheirShareGoesToTheOthers() {
    PendingTask p = decided(1);
    p.reference = new Referee.Reference(1, MODEL);
    p.eligible.put("honest", 1.0);
    p.eligible.put("lazy", 1.0);
    p.eligible.put("silent", 1.0);
    p.votes.put("honest", vote(1, MODEL, 900));
    p.votes.put("lazy", vote(1, MADE_UP, 900));

    List<PeerVerdict> v = Verdicts.of(p, 1_000, true);

    assertThat(v.get(0).audit()).isEqualTo(AuditResult.PASSED);
    assertThat(v.get(0).reward()).isEqualTo(1.0);
    assertThat(v.get(1).verdict()).isEqualTo(Verdict.AGREED);
    assertThat(v.get(1).audit()).isEqualTo(AuditResult.FAILED);
    assertThat(v.get(1).reward()).isZero();
    assertThat(v.get(2).verdict()).isEqualTo(Verdict.MISSED);
    assertThat(v.get(2).audit()).isNull();
    assertThat(Verdicts.of(p, 1_000, false).get(2).verdict())
        .as("before settlement")
        .isEqualTo(Verdict.PENDING);
  }
}
