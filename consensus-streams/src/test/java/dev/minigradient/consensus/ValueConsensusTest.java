package dev.minigradient.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.protocol.Agreement;
import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.KeyKind;
import dev.minigradient.protocol.PeerVerdict;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.Verdict;
import dev.minigradient.protocol.Vote;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/**
 * Consensus on values: votes of a model whose outputs are numbers agree within the model's
 * tolerance, a cluster holding the seats decides, and the decided output is the element-wise median
 * of the cluster.
 */
class ValueConsensusTest extends AbstractTopologyTest {
  private static final Agreement.Tolerance RELATIVE =
      new Agreement.Tolerance(Agreement.Tolerance.Kind.RELATIVE, 0.001);

  /** A referee that knows the model's tolerance and answers {@code honest} on every task. */
  private static Referee referee(Agreement.Tolerance tolerance, List<Double> honest) {
    return new Referee() {
      @Override
      public Reference rerun(String modelId, byte[] input) {
        return honest == null ? null : new Reference(0, List.of(), honest);
      }

      @Override
      public Agreement agreement(String modelId) {
        return tolerance == null ? null : new Agreement(Agreement.By.VALUE, "y", tolerance);
      }
    };
  }

  private void startWith(Referee referee) {
    start(
        config("value-test", 5_000, false, 0.0, ConsensusConfig.Committees.DEFAULTS),
        referee,
        KeyKind.SEALING.generate().getPrivate());
    for (String p : List.of("p1", "p2", "p3")) {
      registerPeer(p, 100, now);
    }
  }

  private void vote(Task t, String peer, Double... values) {
    Vote v = voteFor(t, peer).label(0).values(List.of(values)).inferenceMs(1).build();
    votes.pipeInput(t.taskId(), signedBy(peer, v));
  }

  @Test
  void votesWithinTheToleranceDecideTheirElementWiseMedian() {
    startWith(referee(RELATIVE, null));
    Task t = submit("t1");
    vote(t, "p1", 100.0, 150.0, 200.0);
    vote(t, "p2", 100.05, 149.95, 200.0);
    assertThat(consensus.isEmpty()).as("two of three seats").isTrue();
    vote(t, "p3", 99.98, 150.02, 200.1);

    Consensus c = readDecided();
    assertThat(c.values()).containsExactly(100.0, 150.0, 200.0);
    assertThat(c.verdicts()).extracting(PeerVerdict::verdict).containsOnly(Verdict.AGREED);
  }

  @Test
  void aVoteOutsideTheToleranceLeavesNoQuorumAndTheRefereesClusterDecides() {
    startWith(referee(RELATIVE, List.of(10.0, 20.0)));
    Task t = submit("t1");
    vote(t, "p1", 10.001, 20.0);
    vote(t, "p2", 10.5, 20.0); // 5% off: another answer
    vote(t, "p3", 9.999, 20.001);

    Consensus c = readDecided();
    assertThat(c.escalation()).as("two of three is not over 2/3").isEqualTo("no-quorum");
    assertThat(c.values())
        .as("the median of the referee's cluster")
        .containsExactly(10.0, (20.0 + 20.001) / 2);
    assertThat(c.verdicts())
        .extracting(PeerVerdict::peerId, PeerVerdict::verdict)
        .containsExactly(
            Tuple.tuple("p1", Verdict.AGREED),
            Tuple.tuple("p2", Verdict.DISAGREED),
            Tuple.tuple("p3", Verdict.AGREED));
  }

  @Test
  void withoutTheModelsToleranceValuesAgreeOnlyWhenEqual() {
    startWith(referee(null, null));
    Task t = submit("t1");
    vote(t, "p1", 1.0, 2.0);
    vote(t, "p2", 1.0, 2.0);
    vote(t, "p3", 1.0, 2.0000001);

    Consensus c = consensus.readValue();
    assertThat(c.status()).isEqualTo(ConsensusStatus.NO_QUORUM);
    assertThat(c.escalation()).isNull();
    assertThat(c.values()).isEmpty();
  }

  @Test
  void clustersDoNotDependOnArrivalOrder() {
    PendingTask a = new PendingTask();
    PendingTask b = new PendingTask();
    for (PendingTask p : List.of(a, b)) {
      p.tolerance = new Agreement.Tolerance(Agreement.Tolerance.Kind.ABSOLUTE, 0.1);
      for (String peer : List.of("p1", "p2", "p3", "p4", "p5")) {
        p.eligible.put(peer, 1.0);
      }
    }
    List<String> order = List.of("p1", "p2", "p3", "p4", "p5");
    double[] x = {0.0, 0.05, 0.12, 0.5, 0.55};
    for (int i = 0; i < 5; i++) {
      a.votes.put(order.get(i), counted(x[i]));
      b.votes.put(order.get(4 - i), counted(x[4 - i]));
    }
    ValueAgreement.relabel(a);
    ValueAgreement.relabel(b);
    for (String peer : order) {
      assertThat(a.votes.get(peer).label()).isEqualTo(b.votes.get(peer).label());
    }
    // p2 (0.05) agrees with 0.0 and 0.12: the heaviest cluster is p1, p2, p3
    assertThat(a.votes.get("p1").label()).isZero();
    assertThat(a.votes.get("p3").label()).isZero();
    assertThat(a.votes.get("p4").label()).isEqualTo(1);
    assertThat(ValueAgreement.decided(a, 0)).containsExactly(0.05);
    assertThat(ValueAgreement.median(List.of(List.of(1.0, 4.0), List.of(3.0, 2.0))))
        .containsExactly(2.0, 3.0);
  }

  /** Ten probabilities: {@code top} on {@code label}, {@code second} on {@code other}, 0 else. */
  private static List<Double> nearTie(int label, double top, int other, double second) {
    List<Double> p = new ArrayList<>(Collections.nCopies(10, 0.0));
    p.set(label, top);
    p.set(other, second);
    return p;
  }

  /** A referee answering class 3 on a near-tie with 4, whose model states {@code tolerance}. */
  private static Referee classReferee(Agreement.Tolerance tolerance) {
    return new Referee() {
      @Override
      public Reference rerun(String modelId, byte[] input) {
        return new Reference(3, nearTie(3, 0.501, 4, 0.499));
      }

      @Override
      public Agreement agreement(String modelId) {
        return new Agreement(Agreement.By.CLASS, "logits", tolerance);
      }
    };
  }

  private Verdict verdictOfTheFlippedNearTie(Agreement.Tolerance tolerance) {
    startWith(classReferee(tolerance));
    Task t = submit("t1");
    votes.pipeInput(t.taskId(), signedVote(t, "p1", 3, nearTie(3, 0.501, 4, 0.499)));
    votes.pipeInput(t.taskId(), signedVote(t, "p2", 3, nearTie(3, 0.501, 4, 0.499)));
    // other hardware: 0.004 off, and the argmax flips
    votes.pipeInput(t.taskId(), signedVote(t, "p3", 4, nearTie(3, 0.497, 4, 0.503)));
    Consensus c = readDecided();
    assertThat(c.label()).isEqualTo(3);
    return c.verdicts().stream()
        .filter(v -> v.peerId().equals("p3"))
        .findFirst()
        .orElseThrow()
        .verdict();
  }

  @Test
  void aClassModelsToleranceTellsHardwareDriftOnANearTieFromALie() {
    assertThat(
            verdictOfTheFlippedNearTie(
                new Agreement.Tolerance(Agreement.Tolerance.Kind.ABSOLUTE, 0.01)))
        .isEqualTo(Verdict.DRIFTED);
  }

  @Test
  void withoutOneTheDefaultAuditToleranceJudgesTheSameFlipADisagreement() {
    assertThat(verdictOfTheFlippedNearTie(null)).isEqualTo(Verdict.DISAGREED);
  }

  private static PendingTask.CountedVote counted(double value) {
    return new PendingTask.CountedVote(
        0, null, List.of(), true, null, 0, null, null, List.of(value));
  }
}
