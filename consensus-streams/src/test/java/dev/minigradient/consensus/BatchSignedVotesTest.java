package dev.minigradient.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.PeerVerdict;
import dev.minigradient.protocol.Signatures;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.Verdict;
import dev.minigradient.protocol.Vote;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Votes signed in batches (one Ed25519 signature over a Merkle root, a proof per vote): they count
 * like votes signed alone, a vote that does not fold to its signed root is forged, and two
 * different votes of one batch for one task are equivocation.
 */
class BatchSignedVotesTest extends AbstractTopologyTest {
  @BeforeEach
  void startDriver() {
    startWithPeers("batch-test", "p1", "p2", "p3");
  }

  /** {@code peerId}'s votes, unsigned, for each task and label, signed as one batch. */
  private List<Vote> batch(String peerId, List<Task> answered, int... labels) {
    List<Vote> unsigned = new ArrayList<>();
    for (int i = 0; i < answered.size(); i++) {
      Vote v = signedVote(answered.get(i), peerId, labels[i], probabilities(labels[i], 0.91));
      unsigned.add(v.toBuilder().signature(null).build());
    }
    return Signatures.signer(keys.get(peerId).getPrivate()).signAll(unsigned);
  }

  private void cast(List<Vote> signed) {
    signed.forEach(v -> votes.pipeInput(v.taskId(), v));
  }

  @Test
  void votesSignedInBatchesDecideEveryTaskOfTheBatch() {
    List<Task> ts = List.of(submit("t1"), submit("t2"), submit("t3"));
    for (String p : List.of("p1", "p2", "p3")) {
      cast(batch(p, ts, 4, 5, 6));
    }
    Map<String, Consensus> decided =
        consensus.readValuesToList().stream()
            .collect(Collectors.toMap(Consensus::taskId, c -> c, (a, b) -> a));
    assertThat(decided).containsOnlyKeys("t1", "t2", "t3");
    assertThat(decided.values())
        .allSatisfy(c -> assertThat(c.status()).isEqualTo(ConsensusStatus.DECIDED));
    assertThat(decided.get("t2").label()).isEqualTo(5);
    assertThat(decided.get("t3").verdicts())
        .extracting(PeerVerdict::verdict)
        .containsOnly(Verdict.AGREED);
  }

  @Test
  void aVoteMovedOutOfItsBatchIsForgedAndCountsNothing() {
    Task t1 = submit("t1");
    Task t2 = submit("t2");
    List<Vote> p3 = batch("p3", List.of(t1, t2), 4, 4);
    // p3's signed root covers a 4 for t1; the same proof under a changed label folds elsewhere
    cast(List.of(p3.get(0).toBuilder().label(9).probabilities(probabilities(9, 0.91)).build()));
    cast(batch("p1", List.of(t1), 4));
    cast(batch("p2", List.of(t1), 4));
    assertThat(consensus.isEmpty()).as("two of three seats").isTrue();
    cast(List.of(p3.get(0)));
    Consensus c = consensus.readValue();
    assertThat(c.status()).isEqualTo(ConsensusStatus.DECIDED);
    assertThat(c.forgedVotes()).isEqualTo(1);
  }

  @Test
  void twoDifferentVotesOfOneBatchForOneTaskAreEquivocation() {
    Task t = submit("t1");
    cast(batch("p3", List.of(t, t), 3, 5));
    cast(batch("p1", List.of(t), 5));
    cast(batch("p2", List.of(t), 5));
    Consensus c = consensus.readValue();
    assertThat(c.verdicts())
        .filteredOn(v -> v.peerId().equals("p3"))
        .extracting(PeerVerdict::verdict, PeerVerdict::reason)
        .containsExactly(Tuple.tuple(Verdict.INVALID, "equivocation"));
  }
}
