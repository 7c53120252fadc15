package dev.minigradient.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.consensus.DecisionRule.Ballot;
import dev.minigradient.consensus.DecisionRule.Kind;
import dev.minigradient.consensus.DecisionRule.Step;
import dev.minigradient.protocol.ConsensusStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DecisionRuleTest {
  private static Map<String, Double> seats(Object... peerAndSeats) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < peerAndSeats.length; i += 2) {
      m.put((String) peerAndSeats[i], ((Number) peerAndSeats[i + 1]).doubleValue());
    }
    return m;
  }

  private static Map<String, Ballot> votes(Object... peerAndLabel) {
    Map<String, Ballot> m = new LinkedHashMap<>();
    for (int i = 0; i < peerAndLabel.length; i += 2) {
      int label = (Integer) peerAndLabel[i + 1];
      m.put((String) peerAndLabel[i], new Ballot(Math.abs(label) == 99 ? 1 : label, label != -99));
    }
    return m;
  }

  @Test
  void aCommitteeDecidesOnlyWhenEverySeatedPeerVotedTheSameLabel() {
    Map<String, Double> s = seats("a", 2, "b", 1);
    assertThat(DecisionRule.next(s, votes("a", 4), true, false).kind()).isEqualTo(Kind.WAIT);
    Step step = DecisionRule.next(s, votes("a", 4, "b", 4), true, false);
    assertThat(step.kind()).isEqualTo(Kind.DECIDE);
    assertThat(step.label()).isEqualTo(4);
    assertThat(step.agreeing()).isEqualTo(3.0).isEqualTo(step.total());
  }

  @Test
  void anyDisagreementInACommitteeEscalatesAtOnceWhateverTheWeights() {
    Step step =
        DecisionRule.next(seats("a", 5, "b", 1, "c", 1), votes("a", 4, "b", 7), true, false);
    assertThat(step.kind()).isEqualTo(Kind.ESCALATE);
    assertThat(step.reason()).isEqualTo("disagreement");
    assertThat(step.label()).as("the leading label, by seats").isEqualTo(4);
  }

  @Test
  void aRefusalAgainstALabelIsADisagreement() {
    Step step = DecisionRule.next(seats("a", 1, "b", 1), votes("a", -1, "b", 3), true, false);
    assertThat(step.reason()).isEqualTo("disagreement");
  }

  @Test
  void anInvalidSeatVoteEscalates() {
    Step step = DecisionRule.next(seats("a", 1, "b", 1), votes("a", 3, "b", -99), true, false);
    assertThat(step.kind()).isEqualTo(Kind.ESCALATE);
    assertThat(step.reason()).isEqualTo("invalid-vote");
  }

  @Test
  void aSilentSeatEscalatesOnlyOnceTheDeadlineHasPassed() {
    Map<String, Double> s = seats("a", 1, "b", 1, "c", 1);
    assertThat(DecisionRule.next(s, votes("a", 3, "b", 3), true, false).kind())
        .isEqualTo(Kind.WAIT);
    Step step = DecisionRule.next(s, votes("a", 3, "b", 3), true, true);
    assertThat(step.kind()).isEqualTo(Kind.ESCALATE);
    assertThat(step.reason()).isEqualTo("missing-seat");
  }

  @Test
  void votesOfPeersWithoutASeatAreIgnored() {
    Step step =
        DecisionRule.next(seats("a", 1, "b", 1), votes("a", 3, "b", 3, "x", 5), true, false);
    assertThat(step.kind()).isEqualTo(Kind.DECIDE);
    assertThat(step.label()).isEqualTo(3);
  }

  @Test
  void withoutACommitteeMoreThanTwoThirdsOfTheWeightDecides() {
    Map<String, Double> w = seats("a", 1, "b", 1, "c", 1, "d", 1);
    assertThat(DecisionRule.next(w, votes("a", 7, "b", 7), false, false).kind())
        .isEqualTo(Kind.WAIT);
    assertThat(DecisionRule.next(w, votes("a", 7, "b", 7, "c", 7), false, false).kind())
        .isEqualTo(Kind.DECIDE);
  }

  @Test
  void withoutACommitteeATieAmongEveryoneEscalatesForWantOfAQuorum() {
    Step step =
        DecisionRule.next(
            seats("a", 1, "b", 1, "c", 1, "d", 1),
            votes("a", 5, "b", 3, "c", 5, "d", 3),
            false,
            false);
    assertThat(step.kind()).isEqualTo(Kind.ESCALATE);
    assertThat(step.reason()).isEqualTo("no-quorum");
    assertThat(step.label()).as("ties go to the lowest label").isEqualTo(3);
  }

  @Test
  void withoutVotesTheDeadlineTimesTheTaskOut() {
    assertThat(DecisionRule.next(seats("a", 1), votes(), false, true).kind())
        .isEqualTo(Kind.TIMED_OUT);
    assertThat(DecisionRule.next(seats("a", 1), votes(), true, true).reason())
        .isEqualTo("missing-seat");
  }

  @Test
  void aReplacedSeatNoLongerBlocksUnanimityButItsReplacementIsAwaited() {
    // c was silent and d was appointed in its place
    Map<String, Double> s = seats("a", 1, "b", 1, "c", 1, "d", 1);
    Set<String> replaced = Set.of("c");
    assertThat(DecisionRule.next(s, replaced, votes("a", 3, "b", 3), true, false).kind())
        .isEqualTo(Kind.WAIT);
    Step step = DecisionRule.next(s, replaced, votes("a", 3, "b", 3, "d", 3), true, false);
    assertThat(step.kind()).isEqualTo(Kind.DECIDE);
    assertThat(step.label()).isEqualTo(3);
    assertThat(step.agreeing()).as("the answering seats").isEqualTo(3.0).isEqualTo(step.total());
  }

  @Test
  void aSilentReplacementEscalatesWhenItsWaitEnds() {
    Step step =
        DecisionRule.next(
            seats("a", 1, "b", 1, "c", 1, "d", 1), Set.of("c"), votes("a", 3, "b", 3), true, true);
    assertThat(step.kind()).isEqualTo(Kind.ESCALATE);
    assertThat(step.reason()).isEqualTo("missing-seat");
  }

  @Test
  void aReplacedPeersOwnVoteStillCountsAndCanDisagree() {
    Map<String, Double> s = seats("a", 1, "b", 1, "c", 1, "d", 1);
    Step agreeing =
        DecisionRule.next(s, Set.of("c"), votes("a", 3, "b", 3, "c", 3, "d", 3), true, false);
    assertThat(agreeing.kind()).isEqualTo(Kind.DECIDE);
    assertThat(agreeing.total()).isEqualTo(4.0);
    Step late = DecisionRule.next(s, Set.of("c"), votes("a", 3, "b", 3, "c", 5), true, false);
    assertThat(late.kind()).isEqualTo(Kind.ESCALATE);
    assertThat(late.reason()).isEqualTo("disagreement");
  }

  @Test
  void anAuditOverrulesUnanimousSeatsOnlyWhenTheirLabelIsNotTheModels() {
    Step decide = new Step(Kind.DECIDE, 2, 3, 3, null);
    List<Double> model = List.of(0.1, 0.1, 0.8);

    assertThat(DecisionRule.afterAudit(decide, null)).isSameAs(decide);
    assertThat(DecisionRule.afterAudit(decide, new Referee.Reference(2, model))).isSameAs(decide);
    Step overruled = DecisionRule.afterAudit(decide, new Referee.Reference(1, model));
    assertThat(overruled.kind()).isEqualTo(Kind.ESCALATE);
    assertThat(overruled.reason()).isEqualTo("audit");
  }

  @Test
  void aPendingTaskIsJudgedWithItsReplacedSeatsExcusedAndItsAudit() {
    // c was silent and d was appointed in its place; the three answering seats agree on 3
    PendingTask p = new PendingTask();
    p.committee.addAll(List.of("a", "b", "c"));
    p.eligible.putAll(seats("a", 1, "b", 1, "c", 1, "d", 1));
    p.replacements.add(new Replacements.Appointment(2, "c", "d"));
    for (String peer : List.of("a", "b", "d")) {
      p.votes.put(peer, new PendingTask.CountedVote(3, null, List.of(), true, null, 0, null, null));
    }

    assertThat(DecisionRule.next(p, false).kind()).isEqualTo(Kind.DECIDE);
    p.reference = new Referee.Reference(4, List.of());
    Step audited = DecisionRule.next(p, false);
    assertThat(audited.kind()).isEqualTo(Kind.ESCALATE);
    assertThat(audited.reason()).isEqualTo("audit");
  }

  @Test
  void aRefusalDecidedIsARejection() {
    assertThat(DecisionRule.status(-1)).isEqualTo(ConsensusStatus.REJECTED);
    assertThat(DecisionRule.status(0)).isEqualTo(ConsensusStatus.DECIDED);
  }

  @Test
  void theRefereesAnswerDecidesAnEscalationWithTheWeightOfTheVotesForIt() {
    PendingTask p = new PendingTask();
    p.committee.addAll(List.of("a", "b", "c"));
    p.eligible.putAll(seats("a", 1, "b", 1, "c", 1));
    p.votes.put("a", new PendingTask.CountedVote(3, null, List.of(), true, null, 0, null, null));
    p.votes.put("b", new PendingTask.CountedVote(5, null, List.of(), true, null, 0, null, null));
    p.votes.put(
        "c", new PendingTask.CountedVote(5, null, List.of(), false, "wrong-input", 0, null, null));
    Step escalated = DecisionRule.next(p, false);
    p.reference = new Referee.Reference(5, List.of());

    Step refereed = DecisionRule.byReferee(escalated, p);

    assertThat(escalated.reason()).isEqualTo("disagreement");
    assertThat(refereed.kind()).isEqualTo(Kind.DECIDE);
    assertThat(refereed.label()).isEqualTo(5);
    assertThat(refereed.agreeing()).as("the invalid vote for 5 weighs nothing").isEqualTo(1.0);
    assertThat(refereed.total()).isEqualTo(3.0);
    assertThat(refereed.reason()).isEqualTo("disagreement");
  }

  @Test
  void withoutARefereeAnEscalationEndsWithoutQuorumOrTimesOutWithoutVotes() {
    Step withVotes = new Step(Kind.ESCALATE, 3, 1, 3, "missing-seat");
    Step withoutVotes = new Step(Kind.ESCALATE, null, 0, 3, "missing-seat");

    assertThat(DecisionRule.withoutReferee(withVotes, false)).isEqualTo(ConsensusStatus.NO_QUORUM);
    assertThat(DecisionRule.withoutReferee(withoutVotes, false))
        .isEqualTo(ConsensusStatus.TIMED_OUT);
    assertThat(DecisionRule.withoutReferee(withoutVotes, true))
        .as("every vote invalid")
        .isEqualTo(ConsensusStatus.NO_QUORUM);
  }
}
