package dev.minigradient.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.protocol.KeyKind;
import dev.minigradient.protocol.Sealing;
import dev.minigradient.protocol.Signatures;
import dev.minigradient.protocol.Topics;
import dev.minigradient.protocol.Vote;
import dev.minigradient.worker.adversary.Ballot;
import java.security.KeyPair;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The outbox signs the votes of one poll under one root and sends each, sealed. */
class OutboxTest {
  private final KeyPair keys = KeyKind.SIGNING.generate();
  private final KeyPair sealing = KeyKind.SEALING.generate();
  private final MockProducer<String, byte[]> producer =
      new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
  private final PeerState state = new PeerState();

  /** Batches close on size and on the poll's end only, so no timing can split them. */
  private Outbox outbox = outbox(Long.MAX_VALUE);

  private Outbox outbox(long maxBatchWaitNanos) {
    return new Outbox(
        TestPeers.context("p1", WorkerConfig.DEFAULT_MAX_TASK_AGE_MS, state, null, producer),
        Signatures.signer(keys.getPrivate()),
        () -> Sealing.sealer(sealing.getPublic()),
        maxBatchWaitNanos);
  }

  @AfterEach
  void stop() {
    outbox.shutdownNow();
  }

  private static Vote vote(int task) {
    return Vote.builder()
        .taskId("t" + task)
        .peerId("p1")
        .modelId("m".repeat(64))
        .inputSha256("h".repeat(64))
        .label(task % 10)
        .probabilities(List.of(0.5, 0.5))
        .votedAt(5)
        .build();
  }

  /** The votes sent so far, opened, in the order sent. */
  private List<Vote> sent() {
    Sealing.Opener opener = Sealing.opener(sealing.getPrivate());
    return producer.history().stream()
        .map(ProducerRecord::value)
        .map(v -> Topics.VOTES.valueSerde().deserializer().deserialize(Topics.VOTES.name(), v))
        .map(opener::open)
        .toList();
  }

  @Test
  void aPollsVotesLeaveAtItsEndSignedUnderOneRoot() {
    PollBatch poll = new PollBatch();
    Ballot ballot = outbox.ballot(poll);
    IntStream.range(0, 5).forEach(i -> ballot.send(vote(i)));
    assertThat(producer.history()).as("held until the poll ends").isEmpty();

    outbox.flush();
    poll.sealed();
    outbox.awaitIdle();

    List<Vote> votes = sent();
    assertThat(votes).extracting(Vote::taskId).containsExactly("t0", "t1", "t2", "t3", "t4");
    assertThat(votes).extracting(Vote::signature).containsOnly(votes.get(0).signature());
    String key = KeyKind.encode(keys.getPublic());
    assertThat(votes).allSatisfy(v -> assertThat(Signatures.verify(v, key)).isTrue());
    assertThat(poll.isAcknowledged()).as("every send acknowledged").isTrue();
    assertThat(state.votes.get()).isEqualTo(5);
  }

  @Test
  void aFullBatchLeavesWithoutWaitingForThePollsEnd() {
    PollBatch poll = new PollBatch();
    Ballot ballot = outbox.ballot(poll);
    IntStream.range(0, Outbox.MAX_BATCH_VOTES + 1).forEach(i -> ballot.send(vote(i)));
    // the first MAX_BATCH_VOTES went as one batch; the last waits for the poll's end
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (producer.history().size() < Outbox.MAX_BATCH_VOTES && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(producer.history()).hasSize(Outbox.MAX_BATCH_VOTES);

    outbox.awaitIdle();
    assertThat(sent()).hasSize(Outbox.MAX_BATCH_VOTES + 1);
    assertThat(sent().get(Outbox.MAX_BATCH_VOTES).batchProof()).as("a batch of one").isNull();
  }

  @Test
  void aBatchOpenLongerThanItsWaitLeavesAtTheNextVote() {
    outbox.shutdownNow();
    outbox = outbox(0);
    PollBatch poll = new PollBatch();
    Ballot ballot = outbox.ballot(poll);
    ballot.send(vote(1));
    ballot.send(vote(2));
    outbox.awaitIdle();
    assertThat(sent()).extracting(Vote::batchProof).containsOnlyNulls();
  }

  @Test
  void aVoteAloneInItsPollIsSignedAlone() {
    PollBatch poll = new PollBatch();
    outbox.ballot(poll).send(vote(1));
    outbox.awaitIdle();
    assertThat(sent()).singleElement().extracting(Vote::batchProof).isNull();
  }
}
