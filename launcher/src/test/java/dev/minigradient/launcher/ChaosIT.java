package dev.minigradient.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.producer.Input;
import dev.minigradient.producer.Submitter;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.ModelSpec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tasks through a network on three in-JVM brokers while peers, the consensus app and a broker
 * are killed and come back; then the topics themselves are audited. {@code -Dchaos.tasks=N}
 * changes the number of tasks (the {@code chaos} command runs it by hand).
 */
class ChaosIT {
  private static final Path MNIST = Path.of("..", "models", "mnist");
  private static final int TASKS = Integer.getInteger("chaos.tasks", 10_000);

  @Test
  void nothingIsLostOrCountedTwiceWhenPeersTheConsensusAppAndABrokerFail() throws Exception {
    List<Input> samples = Submitter.read(List.of(MNIST.resolve("samples")));
    Chaos.Outcome o = Chaos.run(ModelSpec.load(MNIST), samples, TASKS, 4, System.out::println);
    System.out.println(dev.minigradient.consensus.ReplayCommand.text(o.findings()));

    // every fault struck
    assertThat(o.faults()).hasSize(6);
    // the requester got an answer for every task
    assertThat(o.answered()).isEqualTo(TASKS);
    // and the topics agree: one consensus per task, no vote counted twice, every verdict backed by
    // its vote, every decision above 2/3, the published ledger equal to the replay of settlements
    assertThat(o.findings().problems()).as(o.findings().examples().toString()).isEmpty();
    assertThat(o.findings().tasks()).isEqualTo(TASKS);
    assertThat(o.findings().pending()).isZero();
    long explained = o.findings().decisions().values().stream().mapToLong(Long::longValue).sum() + o.findings().deadLettered();
    assertThat(explained).isEqualTo(TASKS);
    assertThat(o.findings().decisions().getOrDefault(ConsensusStatus.DECIDED, 0L)).isGreaterThan(TASKS * 9L / 10);
    // the restarted peers came back and kept voting
    assertThat(o.findings().ledger()).hasSize(4);
    o.findings().ledger().values().forEach(r -> assertThat(r.agreed()).as(r.peerId()).isGreaterThan(TASKS / 2));
  }
}
