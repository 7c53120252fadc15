package dev.minigradient.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.PeerVerdict;
import dev.minigradient.protocol.Verdict;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code bench} reads from a run's {@code Consensus} records. */
class CommitteeCountsTest {

  private static Consensus answer(
      List<String> committee, List<String> voters, String escalation, int inferences) {
    List<PeerVerdict> verdicts =
        voters.stream().map(p -> new PeerVerdict(p, 7, Verdict.AGREED, null)).toList();
    return Consensus.builder()
        .taskId("t")
        .modelId("m")
        .status(ConsensusStatus.DECIDED)
        .label(7)
        .confidence(1)
        .agreeingWeight(1)
        .totalWeight(1)
        .verdicts(verdicts)
        .committee(committee)
        .escalation(escalation)
        .inferences(inferences)
        .build();
  }

  @Test
  void countsInferencesEscalationsAndTheBusiestPeersSeats() {
    // given: two plain tasks, one escalated (the referee ran too), one audited
    List<Consensus> answers =
        List.of(
            answer(List.of("a", "b", "c"), List.of("a", "b", "c"), null, 3),
            answer(List.of("a", "a", "d"), List.of("a", "d"), "missing-seat", 3),
            answer(List.of("a", "b", "d"), List.of("a", "b", "d"), null, 4),
            answer(List.of("b", "c", "d"), List.of("b", "c", "d"), null, 3));

    // when
    CommitteeCounts c = CommitteeCounts.of(answers);

    // then
    assertThat(c.answers()).isEqualTo(4);
    assertThat(c.inferencesPerTask()).isEqualTo(13 / 4.0);
    assertThat(c.escalationsPerTask()).isEqualTo(0.25);
    assertThat(c.escalations()).isEqualTo(Map.of("missing-seat", 1));
    assertThat(c.busiest()).isEqualTo("a");
    assertThat(c.busiestShare()).isEqualTo(4 / 12.0); // a peer holding two seats counts both
  }

  @Test
  void countsVotersAsSeatsForTasksWithoutACommitteeList() {
    // given: tasks every peer served
    List<Consensus> answers =
        List.of(
            answer(List.of(), List.of("a", "b"), null, 2),
            answer(List.of(), List.of("a"), null, 1));

    // when
    CommitteeCounts c = CommitteeCounts.of(answers);

    // then
    assertThat(c.busiest()).isEqualTo("a");
    assertThat(c.busiestShare()).isEqualTo(2 / 3.0);
    assertThat(c.escalationsPerTask()).isZero();
  }

  @Test
  void givesNaNMeansForNoAnswers() {
    CommitteeCounts c = CommitteeCounts.of(List.of());
    assertThat(c.inferencesPerTask()).isNaN();
    assertThat(c.busiest()).isNull();
  }
}
