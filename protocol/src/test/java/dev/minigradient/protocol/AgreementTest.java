package dev.minigradient.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minigradient.protocol.Agreement.Tolerance;
import dev.minigradient.protocol.Agreement.Tolerance.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgreementTest {

  @Test
  void absoluteToleranceBoundsEveryElement() {
    Tolerance t = new Tolerance(Kind.ABSOLUTE, 0.01);
    assertThat(t.agrees(List.of(1.0, 2.0), List.of(1.005, 1.995))).isTrue();
    assertThat(t.agrees(List.of(1.0, 2.0), List.of(1.0, 2.02))).isFalse();
    assertThat(t.agrees(List.of(1.0), List.of(1.0, 2.0))).as("lengths differ").isFalse();
    assertThat(t.agrees(List.of(Double.NaN), List.of(Double.NaN))).isFalse();
  }

  @Test
  void relativeToleranceScalesWithTheLargerMagnitude() {
    Tolerance t = new Tolerance(Kind.RELATIVE, 0.001);
    assertThat(t.agrees(List.of(150.0, 0.0), List.of(150.1, 0.0))).isTrue();
    assertThat(t.agrees(List.of(150.0), List.of(150.2))).isFalse();
    assertThat(t.agrees(List.of(0.0), List.of(1e-9))).isFalse();
  }

  @Test
  void cosineToleranceComparesDirections() {
    Tolerance t = new Tolerance(Kind.COSINE, 0.01);
    assertThat(t.agrees(List.of(1.0, 0.0), List.of(2.0, 0.05))).isTrue();
    assertThat(t.agrees(List.of(1.0, 0.0), List.of(0.0, 1.0))).isFalse();
    assertThat(t.agrees(List.of(0.0, 0.0), List.of(0.0, 0.0))).isTrue();
    assertThat(t.agrees(List.of(0.0, 0.0), List.of(1.0, 0.0))).isFalse();
  }

  @Test
  void aValueAgreementNeedsATolerance() throws Exception {
    assertThatThrownBy(() -> new Agreement(Agreement.By.VALUE, "y", null))
        .hasMessageContaining("needs a tolerance");
    assertThatThrownBy(() -> new Tolerance(Kind.ABSOLUTE, -1)).hasMessageContaining(">= 0");
    Agreement a =
        Json.MAPPER.readValue(
            "{\"by\": \"value\", \"output\": \"q\", \"tolerance\": {\"kind\": \"relative\", \"value\": 0.001}}",
            Agreement.class);
    assertThat(a)
        .isEqualTo(new Agreement(Agreement.By.VALUE, "q", new Tolerance(Kind.RELATIVE, 0.001)));
  }

  @Test
  void anUnknownKindOrByNamesTheKnownOnes() {
    assertThatThrownBy(
            () ->
                Json.MAPPER.readValue(
                    "{\"by\": \"value\", \"tolerance\": {\"kind\": \"relatve\", \"value\": 1}}",
                    Agreement.class))
        .hasRootCauseMessage(
            "unknown tolerance \"kind\" 'relatve' (known: absolute, relative, cosine)");
    assertThatThrownBy(() -> Json.MAPPER.readValue("{\"by\": \"vote\"}", Agreement.class))
        .hasRootCauseMessage("unknown agreement \"by\" 'vote' (known: class, value)");
  }
}
