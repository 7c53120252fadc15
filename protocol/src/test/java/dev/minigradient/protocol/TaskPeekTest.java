package dev.minigradient.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TaskPeekTest {
  private static final String MODEL = "a".repeat(64);
  private static final String RULE =
      "redundancy must be a positive integer (at most 1000) or \"all\"";

  private static byte[] serialized(Task task) {
    return Topics.TASKS.valueSerde().serializer().serialize(Topics.TASKS.name(), task);
  }

  private static Task deserialized(byte[] json) {
    return Topics.TASKS.valueSerde().deserializer().deserialize(Topics.TASKS.name(), json);
  }

  /** A task's JSON with {@code redundancyJson} as the raw value of its redundancy field. */
  private static byte[] taskWithRedundancy(String redundancyJson) {
    return ("{\"schemaVersion\":1,\"taskId\":\"t1\",\"modelId\":\""
            + MODEL
            + "\",\"input\":\"AQID\","
            + "\"submittedAt\":5,\"redundancy\":"
            + redundancyJson
            + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void readsTheIdsAndRedundancyOfATaskAsTheTopicsSerdeWritesIt() {
    Task task = Task.of("t1", MODEL, new byte[] {1, 2, 3}, "image/png", "r", "one.png");

    assertThat(TaskPeek.of(serialized(task.withRedundancy(3))))
        .isEqualTo(new TaskPeek("t1", MODEL, 3));
    assertThat(TaskPeek.of(serialized(task.withRedundancy(Redundancy.ALL))))
        .isEqualTo(new TaskPeek("t1", MODEL, Redundancy.ALL));
    assertThat(TaskPeek.of(serialized(task))).isEqualTo(new TaskPeek("t1", MODEL, null));
  }

  @Test
  void acceptsAllInAnyCaseAndPositiveNumbersWrittenEitherWay() {
    assertThat(TaskPeek.of(taskWithRedundancy("\"all\"")).redundancy()).isEqualTo(Redundancy.ALL);
    assertThat(TaskPeek.of(taskWithRedundancy("\"ALL\"")).redundancy()).isEqualTo(Redundancy.ALL);
    assertThat(TaskPeek.of(taskWithRedundancy("5")).redundancy()).isEqualTo(5);
    assertThat(TaskPeek.of(taskWithRedundancy("\"5\"")).redundancy()).isEqualTo(5);
    assertThat(TaskPeek.of(taskWithRedundancy("1000")).redundancy()).isEqualTo(1000);
    assertThat(TaskPeek.of(taskWithRedundancy("null")).redundancy()).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "0",
        "-2",
        "\"0\"",
        "\"-2\"",
        "\"many\"",
        "1001",
        "2.5",
        "99999999999",
        "true",
        "[3]",
        "{}"
      })
  void refusesAnythingButAPositiveIntegerOrAllWithTheRuleAsTheTaskDoes(String redundancyJson) {
    byte[] json = taskWithRedundancy(redundancyJson);

    assertThatThrownBy(() -> TaskPeek.of(json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(RULE);
    assertThatThrownBy(() -> deserialized(json))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining(RULE);
  }

  @Test
  void scansTheInputWithoutDecodingItsBase64() {
    // given a task whose input is not base64: the full task cannot be read
    byte[] json =
        ("{\"taskId\":\"t1\",\"input\":\"@@ not base64 @@\",\"extra\":{\"modelId\":\"decoy\"},"
                + "\"modelId\":\""
                + MODEL
                + "\",\"redundancy\":2}")
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> deserialized(json)).isInstanceOf(SerializationException.class);

    // then the peek reads the top-level fields all the same, not the nested decoy
    assertThat(TaskPeek.of(json)).isEqualTo(new TaskPeek("t1", MODEL, 2));
  }

  @Test
  void absentIdsPeekAsNull() {
    assertThat(TaskPeek.of("{\"input\":\"AQID\"}".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(new TaskPeek(null, null, null));
  }

  @Test
  void refusesWhatIsNotAJsonObjectOrHasAStructuredId() {
    for (String bad :
        new String[] {
          "[1,2]", "not json", "{\"taskId\":", "{\"taskId\":{\"a\":1}}", "{\"modelId\":[1]}"
        }) {
      assertThatThrownBy(() -> TaskPeek.of(bad.getBytes(StandardCharsets.UTF_8)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void parsingRefusesZeroWhileTheInMemoryAllStaysValid() {
    assertThat(Redundancy.parse(" all ")).isEqualTo(Redundancy.ALL);
    assertThat(Redundancy.parse("7")).isEqualTo(7);
    assertThatThrownBy(() -> Redundancy.parse("0")).hasMessageContaining(RULE);
    assertThatThrownBy(() -> Redundancy.seats(0)).hasMessageContaining(RULE);

    // ALL is 0 in memory: a task built with it is valid and is written as "all"
    Task all =
        Task.of("t1", MODEL, new byte[] {1}, "image/png", "r", null).withRedundancy(Redundancy.ALL);
    assertThat(new String(serialized(all), StandardCharsets.UTF_8))
        .contains("\"redundancy\":\"all\"");
    assertThat(deserialized(serialized(all)).redundancy()).isEqualTo(Redundancy.ALL);
    assertThatThrownBy(() -> all.withRedundancy(-1)).hasMessageContaining(RULE);
  }
}
