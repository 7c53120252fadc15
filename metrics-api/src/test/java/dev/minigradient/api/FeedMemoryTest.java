package dev.minigradient.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.minigradient.protocol.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
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
    // given three dead letters, one naming neither its source nor its component
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
    assertThat(s.byComponent()).isEqualTo(Map.of("peer", 2L, "unknown", 1L));
    assertThat(s.recent()).extracting(LiveFeed.DeadLetter::key).isEqualTo(List.of("k3", "k2"));
  }

  /** A dead-letter record with these headers (name, value, ...). */
  private static ConsumerRecord<String, byte[]> deadLetterRecord(String... headers) {
    ConsumerRecord<String, byte[]> r =
        new ConsumerRecord<>("inference.dead-letters", 0, 5L, "k", new byte[] {1, 2});
    Headers h = r.headers();
    for (int i = 0; i < headers.length; i += 2) {
      h.add(headers[i], headers[i + 1].getBytes(StandardCharsets.UTF_8));
    }
    return r;
  }

  @Test
  void deadLettersAreLabelledByTheReasonAndComponentTheirWriterGave() {
    // given a peer's dead letter and one of Kafka Streams' dead-letter queue with the same headers
    var peer =
        LiveFeed.deadLetter(
            deadLetterRecord(
                DeadLetters.EXCEPTION, "not-an-image",
                DeadLetters.TOPIC, "inference.tasks",
                DeadLetters.REASON, "not-an-image",
                DeadLetters.COMPONENT, "inference-worker/p1"));
    var streams =
        LiveFeed.deadLetter(
            deadLetterRecord(
                DeadLetters.EXCEPTION, "org.apache.kafka.common.errors.SerializationException",
                DeadLetters.MESSAGE, "not a valid Vote",
                DeadLetters.TOPIC, "inference.votes",
                DeadLetters.OFFSET, "9",
                DeadLetters.REASON, "malformed-vote",
                DeadLetters.COMPONENT, "consensus-streams"));

    // then each is labelled by its headers
    assertThat(peer.reason() + " " + peer.component())
        .isEqualTo("not-an-image inference-worker/p1");
    assertThat(streams.reason() + " " + streams.component())
        .isEqualTo("malformed-vote consensus-streams");
    assertThat(streams.sourceTopic()).isEqualTo("inference.votes");
    assertThat(streams.offset()).isEqualTo("9");
    assertThat(streams.message()).isEqualTo("not a valid Vote");
    assertThat(streams.bytes()).isEqualTo(2);
  }

  @Test
  void deadLettersWithoutOurHeadersAreLabelledByTheirExceptionOrAsUnknown() {
    // given a record of Kafka Streams' dead-letter queue without our headers, and a bare record
    var streams =
        LiveFeed.deadLetter(
            deadLetterRecord(
                DeadLetters.EXCEPTION, "org.apache.kafka.common.errors.SerializationException"));
    var bare = LiveFeed.deadLetter(deadLetterRecord());

    // then the first is the consensus app's, by its exception; the second unknown
    assertThat(streams.reason() + " " + streams.component())
        .isEqualTo("SerializationException consensus-streams");
    assertThat(bare.reason() + " " + bare.component()).isEqualTo("unknown unknown");
  }
}
