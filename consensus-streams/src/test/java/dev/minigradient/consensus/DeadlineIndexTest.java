package dev.minigradient.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeadlineIndexTest {
  private static DeadlineIndex.Due due(long time, String taskId) {
    return new DeadlineIndex.Due(time, taskId);
  }

  /** An index to which these deadlines were added, in order. */
  private static DeadlineIndex holding(DeadlineIndex.Due... deadlines) {
    DeadlineIndex index = new DeadlineIndex();
    for (DeadlineIndex.Due d : deadlines) {
      index.add(d.time(), d.taskId());
    }
    return index;
  }

  @Test
  void pollDueReturnsWhatFellDueEarliestFirstAndKeepsTheRest() {
    // given deadlines of three tasks, one task holding two
    DeadlineIndex index = holding(due(300, "c"), due(100, "b"), due(100, "a"), due(500, "a"));

    // when the clock reaches 300
    var polled = index.pollDue(300);

    // then the three due ones come out in time order (ties by task id), the later one stays
    assertThat(polled).containsExactly(due(100, "a"), due(100, "b"), due(300, "c"));
    assertThat(index.size()).isEqualTo(1);
    assertThat(index.pollDue(499)).isEmpty();
    assertThat(index.pollDue(500)).containsExactly(due(500, "a"));
  }

  @Test
  void aRemovedDeadlineNeverFallsDueAndAddingOneTwiceHoldsItOnce() {
    DeadlineIndex index = holding(due(100, "a"), due(100, "a"), due(200, "a"));
    index.remove(100, "a");
    index.remove(999, "x"); // absent: nothing happens

    assertThat(index.pollDue(1_000)).containsExactly(due(200, "a"));
    assertThat(index.size()).isZero();
  }
}
