package dev.minigradient.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.streams.errors.LockException;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;

/** Which failures make the consensus app wipe its local state and rebuild it. */
class StateFailureTest {
  @Test
  void aStoreThatCannotBeOpenedOrLockedIsAStateFailureWhereverItIsWrapped() {
    assertThat(ConsensusService.isStateFailure(new ProcessorStateException("Error opening store")))
        .isTrue();
    assertThat(
            ConsensusService.isStateFailure(
                new StreamsException(new KafkaException(new LockException("locked")))))
        .isTrue();
  }

  @Test
  void otherFailuresAreNot() {
    assertThat(ConsensusService.isStateFailure(new StreamsException("processing failed")))
        .isFalse();
    assertThat(ConsensusService.isStateFailure(new IllegalStateException("bug"))).isFalse();
  }
}
