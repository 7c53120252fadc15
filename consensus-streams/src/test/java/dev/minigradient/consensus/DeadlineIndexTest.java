package dev.minigradient.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeadlineIndexTest {
  @Test
  void pollDueReturnsWhatFellDueEarliestFirstAndKeepsTheRest() {
    // given deadlines of three tasks, one task holding two
    DeadlineIndex index = new DeadlineIndex();
    index.add(300, "c");
    index.add(100, "b");
    index.add(100, "a");
    index.add(500, "a");

    // when the clock reaches 300
    var due = index.pollDue(300);

    // then the three due ones come out in time order (ties by task id), the later one stays
    assertThat(due)
        .containsExactly(
            new DeadlineIndex.Due(100, "a"),
            new DeadlineIndex.Due(100, "b"),
            new DeadlineIndex.Due(300, "c"));
    assertThat(index.size()).isEqualTo(1);
    assertThat(index.pollDue(499)).isEmpty();
    assertThat(index.pollDue(500)).containsExactly(new DeadlineIndex.Due(500, "a"));
  }

  @Test
  void aRemovedDeadlineNeverFallsDueAndAddingOneTwiceHoldsItOnce() {
    DeadlineIndex index = new DeadlineIndex();
    index.add(100, "a");
    index.add(100, "a");
    index.add(200, "a");
    index.remove(100, "a");
    index.remove(999, "x"); // absent: nothing happens

    assertThat(index.pollDue(1_000)).containsExactly(new DeadlineIndex.Due(200, "a"));
    assertThat(index.size()).isZero();
  }
}
