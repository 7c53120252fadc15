package dev.minigradient.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minigradient.model.ServedModel;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.Vote;
import dev.minigradient.worker.adversary.Adversary;
import dev.minigradient.worker.adversary.Ballot;
import dev.minigradient.worker.adversary.ConstantLabel;
import dev.minigradient.worker.adversary.Copycat;
import dev.minigradient.worker.adversary.Crashing;
import dev.minigradient.worker.adversary.Forger;
import dev.minigradient.worker.adversary.Honest;
import dev.minigradient.worker.adversary.LazyGuess;
import dev.minigradient.worker.adversary.RandomLabels;
import dev.minigradient.worker.adversary.Slow;
import dev.minigradient.worker.adversary.VotingPeer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.junit.jupiter.api.Test;

/** The behaviours' names, the adversaries they make, and what some of those send. */
class BehaviorTest {
  private static final ServedModel MODEL =
      new ServedModel("fake", new MockPeer.FakeEngine(), input -> new float[784], List.of());
  private static final Task TASK =
      Task.builder()
          .taskId("t-1")
          .modelId(MockPeer.MODEL)
          .input(new byte[] {1, 2, 3})
          .contentType("image/png")
          .inputSha256("e".repeat(64))
          .requester("me")
          .name("t")
          .build();

  @Test
  void eachNameMakesItsOwnAdversaryForEachPeer() {
    Map<String, Class<?>> known =
        Map.of(
            "honest", Honest.class,
            "random", RandomLabels.class,
            "constant", ConstantLabel.class,
            "copycat", Copycat.class,
            "lazy", LazyGuess.class,
            "slow", Slow.class,
            "crash", Crashing.class,
            "forger", Forger.class);
    assertThat(new Behavior.Names()).containsAll(known.keySet());
    for (String name : new Behavior.Names()) {
      Behavior b = Behavior.parse(" " + name.toUpperCase() + " ");
      assertThat(b.toString()).isEqualTo(name);
      assertThat(b.adversary())
          .isInstanceOf(known.getOrDefault(name, Adversary.class))
          .isNotSameAs(b.adversary());
    }
  }

  @Test
  void anUnknownNameIsRefusedWithTheKnownOnes() {
    assertThatThrownBy(() -> Behavior.parse("sneaky"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "unknown behavior 'sneaky' (known: honest, random, constant, copycat, lazy, slow, crash, forger")
        .hasMessageEndingWith(")");
  }

  @Test
  void anHonestPeerVotesTheModelsAnswerOnceThroughTheOutbox() {
    Recorder r = new Recorder();
    Adversary honest = Behavior.honest().adversary();
    ServedModel.Prediction p = honest.answer(TASK, MODEL);
    honest.vote(r.newVote(TASK, p.label(), null, p.probabilities(), 0), MODEL, r);
    assertThat(r.queued).extracting(Vote::label).containsExactly(3);
    assertThat(r.now).isEmpty();
  }

  @Test
  void aConstantLiarVotesItsLabelWhateverTheModelSays() {
    Adversary constant = Behavior.parse("constant").with(7, 0, 0, List.of()).adversary();
    assertThat(constant.answer(TASK, MODEL).label()).isEqualTo(7);
  }

  @Test
  void aForgerVotesAsItselfThenAWrongLabelInEveryOtherPeersName() {
    Recorder r = new Recorder();
    Adversary forger =
        Behavior.parse("forger").with(1, 0, 0, List.of("me", "p-b", "p-c")).adversary();
    forger.start(r);
    forger.vote(r.newVote(TASK, 3, null, List.of(), 0), MODEL, r);
    assertThat(r.now).extracting(Vote::peerId).containsExactly("me", "p-b", "p-c");
    assertThat(r.now).extracting(Vote::label).containsExactly(3, 4, 4);
  }

  @Test
  void aCrashingPeerStopsRightAfterItsLastVote() {
    Recorder r = new Recorder();
    Adversary crash = Behavior.parse("crash").with(1, 0, 2, List.of()).adversary();
    crash.start(r);
    crash.vote(r.newVote(TASK, 3, null, List.of(), 0), MODEL, r);
    assertThat(r.crashes).hasValue(0);
    crash.vote(r.newVote(TASK, 3, null, List.of(), 0), MODEL, r);
    assertThat(r.now).hasSize(2);
    assertThat(r.crashes).hasValue(1);
  }

  /** A peer that records what is sent, and how. */
  private static final class Recorder implements VotingPeer, Ballot {
    final List<Vote> queued = new ArrayList<>();
    final List<Vote> now = new ArrayList<>();
    final AtomicInteger crashes = new AtomicInteger();

    @Override
    public void send(Vote vote) {
      queued.add(vote);
    }

    @Override
    public void sendNow(Vote vote) {
      now.add(vote);
    }

    @Override
    public String peerId() {
      return "me";
    }

    @Override
    public boolean isRunning() {
      return true;
    }

    @Override
    public Vote newVote(
        Task task, int label, String rejection, List<Double> probabilities, long startNanos) {
      return Vote.builder()
          .taskId(task.taskId())
          .peerId("me")
          .modelId(task.modelId())
          .inputSha256("e".repeat(64))
          .label(label)
          .rejection(rejection)
          .probabilities(probabilities)
          .inferenceMs(1.0)
          .build();
    }

    @Override
    public void sendDetached(Vote vote) {
      throw new AssertionError("not expected");
    }

    @Override
    public void crash() {
      crashes.incrementAndGet();
    }

    @Override
    public Consumer<String, byte[]> observer(String role) {
      throw new AssertionError("not expected");
    }
  }
}
