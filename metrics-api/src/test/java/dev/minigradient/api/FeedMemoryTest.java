package dev.minigradient.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the live feed keeps: the newest inputs, reputation points and dead letters, bounded. */
class FeedMemoryTest {
  private static LiveFeed.StoredInput input(String taskId, int bytes) {
    return new LiveFeed.StoredInput(taskId, "m", null, "image/png", new byte[bytes], 0L);
  }

  /** A cache of at most {@code count} inputs and {@code bytes} bytes, given inputs in order. */
  private static InputCache cache(int count, int bytes, int inputBytes, String... taskIds) {
    InputCache cache = new InputCache(count, bytes);
    for (String id : taskIds) {
      cache.put(input(id, inputBytes));
    }
    return cache;
  }

  private static LiveFeed.DeadLetter deadLetter(
      String key, String reason, String source, String component) {
    return new LiveFeed.DeadLetter(key, reason, component, source, "0", "1", "bad", 0L, 3);
  }

  @Test
  void inputsOverTheCountDropTheOldestFirst() {
    InputCache cache = cache(2, 1_000, 10, "a", "b", "c");
    assertThat(cache.get("a")).isNull();
    assertThat(cache.get("b")).isNotNull();
    assertThat(cache.get("c")).isNotNull();
    assertThat(cache.bytes()).isEqualTo(20);
  }

  @Test
  void inputsOverTheBytesDropTheOldestFirstAndARepeatCountsOnce() {
    // given 3 inputs of 40 bytes under a 100-byte bound
    InputCache cache = cache(100, 100, 40, "a", "b");

    // when a is read again, it is the newest and counts once
    cache.put(input("a", 40));
    assertThat(cache.bytes()).isEqualTo(80);

    // then the next input drops b, the oldest now
    cache.put(input("c", 40));
    assertThat(cache.get("b")).isNull();
    assertThat(cache.get("a")).isNotNull();
    assertThat(cache.bytes()).isEqualTo(80);
  }

  @Test
  void eachPeerKeepsItsNewestReputationPointsOldestFirst() {
    ReputationHistories histories = new ReputationHistories(2);
    for (int i = 1; i <= 3; i++) {
      ObjectNode point = ApiJson.MAPPER.createObjectNode().put("t", i);
      histories.add("p1", point);
    }
    histories.add("p2", ApiJson.MAPPER.createObjectNode().put("t", 9));
    assertThat(histories.history("p1")).extracting(p -> p.get("t").asInt()).containsExactly(2, 3);
    assertThat(histories.history("p2")).hasSize(1);
    assertThat(histories.history("nobody")).isEmpty();
  }

  @Test
  void deadLettersAreCountedByReasonSourceAndComponentAndTheNewestKept() {
    // given three dead letters, one from Kafka Streams' own queue (no component) and no source
    DeadLetterTally tally = new DeadLetterTally(2);
    tally.add(deadLetter("k1", "not-an-image", "inference.tasks", "peer"));
    tally.add(deadLetter("k2", "not-an-image", "inference.tasks", "peer"));
    tally.add(deadLetter("k3", "SerializationException", null, null));

    // when summed up
    LiveFeed.DeadLetterSummary s = tally.summary();

    // then every one counts, and the newest two are kept, newest first
    assertThat(s.total()).isEqualTo(3);
    assertThat(s.byReason()).isEqualTo(Map.of("not-an-image", 2L, "SerializationException", 1L));
    assertThat(s.bySource()).isEqualTo(Map.of("inference.tasks", 2L, "unknown", 1L));
    assertThat(s.byComponent()).isEqualTo(Map.of("peer", 2L, "kafka-streams", 1L));
    assertThat(s.recent()).extracting(LiveFeed.DeadLetter::key).isEqualTo(List.of("k3", "k2"));
  }
}
