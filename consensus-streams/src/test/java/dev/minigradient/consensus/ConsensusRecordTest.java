package dev.minigradient.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.PeerVerdict;
import dev.minigradient.protocol.Verdict;
import dev.minigradient.protocol.Vote;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ConsensusRecord}: the record published for a decided task, without Kafka. */
class ConsensusRecordTest {
  private static PendingTask.CountedVote vote(
      int label, double p, String rejection, boolean valid) {
    List<Double> probabilities = label < 0 ? List.of() : List.of(1 - p, p);
    return new PendingTask.CountedVote(
        label, rejection, probabilities, valid, valid ? null : "wrong-input", 900, null, null);
  }

  /** A task four peers (a to d) may vote on, holding these votes of a, b, ... in order. */
  private static PendingTask task(PendingTask.CountedVote... votes) {
    PendingTask p = new PendingTask();
    p.modelId = "m";
    p.name = "digit.png";
    p.submittedAt = 400;
    p.deadline = 10_000;
    p.eligible.put("a", 1.0);
    p.eligible.put("b", 1.0);
    p.eligible.put("c", 1.0);
    p.eligible.put("d", 1.0);
    for (int i = 0; i < votes.length; i++) {
      p.votes.put(String.valueOf((char) ('a' + i)), votes[i]);
    }
    return p;
  }

  /** Each peer's verdict, in the record's order. */
  private static List<Verdict> verdictsOf(Consensus c) {
    return c.verdicts().stream().map(PeerVerdict::verdict).toList();
  }

  @Test
  void theConfidenceIsTheMeanProbabilityTheAgreeingValidVotesGaveTheLabel() {
    PendingTask p =
        task(
            vote(1, 0.9, null, true),
            vote(1, 0.7, null, true),
            vote(1, 0.1, null, false),
            vote(0, 0.2, null, true));
    p.decide(ConsensusStatus.DECIDED, 1, 1_000);

    Consensus c = ConsensusRecord.of("t", p, 2, 3, 1_000, 1_000);

    assertThat(c.label()).isEqualTo(1);
    assertThat(c.confidence()).isCloseTo(0.8, within(1e-12));
    assertThat(c.agreeingWeight()).isEqualTo(2.0);
    assertThat(c.totalWeight()).isEqualTo(3.0);
    assertThat(c.rejection()).isNull();
    assertThat(c.latencyMs()).isEqualTo(600);
    assertThat(c.inferences()).as("one per eligible peer, no referee").isEqualTo(4);
    assertThat(verdictsOf(c))
        .containsExactly(Verdict.AGREED, Verdict.AGREED, Verdict.INVALID, Verdict.DISAGREED);
  }

  @Test
  void aRejectionCarriesTheFirstAgreeingRefusalsReasonAndNoLabelOrConfidence() {
    PendingTask p =
        task(
            vote(Vote.REJECTED, 0, null, true),
            vote(Vote.REJECTED, 0, "not a digit", true),
            vote(Vote.REJECTED, 0, "blank", true));
    p.decide(ConsensusStatus.REJECTED, Vote.REJECTED, 1_000);

    Consensus c = ConsensusRecord.of("t", p, 3, 4, 1_000, 1_000);

    assertThat(c.status()).isEqualTo(ConsensusStatus.REJECTED);
    assertThat(c.label()).isNull();
    assertThat(c.rejection()).isEqualTo("not a digit");
    assertThat(c.confidence()).isZero();
    assertThat(verdictsOf(c))
        .as("d has not voted yet")
        .containsExactly(Verdict.AGREED, Verdict.AGREED, Verdict.AGREED, Verdict.PENDING);
  }

  @Test
  void withoutQuorumTheLeadingLabelsWeightIsReportedButNoLabel() {
    PendingTask p = task(vote(2, 0.6, null, true), vote(3, 0.6, null, true));
    p.decide(ConsensusStatus.NO_QUORUM, 2, 10_000);

    Consensus c = ConsensusRecord.of("t", p, 1, 4, 1_000, 10_000);

    assertThat(c.label()).isNull();
    assertThat(c.confidence()).isZero();
    assertThat(c.agreeingWeight()).isEqualTo(1.0);
    assertThat(verdictsOf(c))
        .as("settled at the deadline")
        .containsExactly(Verdict.UNDECIDED, Verdict.UNDECIDED, Verdict.MISSED, Verdict.MISSED);
  }

  @Test
  void aTimedOutTaskReportsNoWeightAndARefereeRunCountsAsAnInference() {
    PendingTask p = task();
    p.reference = new Referee.Reference(1, List.of(0.1, 0.9));
    p.committee.addAll(List.of("a", "b", "c", "d"));
    p.replacements.add(new Replacements.Appointment(3, "d", "e"));
    p.decide(ConsensusStatus.TIMED_OUT, null, 10_000);

    Consensus c = ConsensusRecord.of("t", p, 5, 4, 1_000, 10_000);

    assertThat(c.agreeingWeight()).isZero();
    assertThat(c.audited()).isTrue();
    assertThat(c.inferences()).isEqualTo(5);
    assertThat(c.committee()).containsExactly("a", "b", "c", "e");
  }

  @Test
  void aPublishedRecordGivesBackTheLabelItDecided() {
    PendingTask p = task(vote(Vote.REJECTED, 0, "blank", true));
    p.decide(ConsensusStatus.REJECTED, Vote.REJECTED, 1_000);
    Consensus rejected = ConsensusRecord.of("t", p, 1, 1, 1_000, 1_000);
    p.decide(ConsensusStatus.DECIDED, 4, 1_000);
    Consensus decided = ConsensusRecord.of("t", p, 1, 1, 1_000, 1_000);
    p.decide(ConsensusStatus.NO_QUORUM, 4, 1_000);
    Consensus noQuorum = ConsensusRecord.of("t", p, 1, 1, 1_000, 1_000);

    assertThat(ConsensusRecord.decidedLabel(rejected)).isEqualTo(Vote.REJECTED);
    assertThat(ConsensusRecord.decidedLabel(decided)).isEqualTo(4);
    assertThat(ConsensusRecord.decidedLabel(noQuorum)).isNull();
  }
}
