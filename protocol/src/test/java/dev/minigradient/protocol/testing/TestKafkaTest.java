package dev.minigradient.protocol.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minigradient.protocol.testing.TestKafka.Kind;
import org.junit.jupiter.api.Test;

class TestKafkaTest {
  @Test
  void autoPicksTestcontainersOnlyWhenAnEngineAnswers() {
    assertThat(TestKafka.choose("auto", () -> true)).isEqualTo(Kind.TESTCONTAINERS);
    assertThat(TestKafka.choose("auto", () -> false)).isEqualTo(Kind.EMBEDDED);
    assertThat(TestKafka.choose(null, () -> false)).isEqualTo(Kind.EMBEDDED);
    assertThat(TestKafka.choose(" ", () -> true)).isEqualTo(Kind.TESTCONTAINERS);
  }

  @Test
  void anExplicitChoiceIsKeptOrFailsLoudly() {
    assertThat(TestKafka.choose("embedded", () -> true)).isEqualTo(Kind.EMBEDDED);
    assertThat(TestKafka.choose("Testcontainers", () -> true)).isEqualTo(Kind.TESTCONTAINERS);
    assertThatThrownBy(() -> TestKafka.choose("testcontainers", () -> false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no Docker engine");
    assertThatThrownBy(() -> TestKafka.choose("docker", () -> true))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("embedded, testcontainers or auto");
  }
}
