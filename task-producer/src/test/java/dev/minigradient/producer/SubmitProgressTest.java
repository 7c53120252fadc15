package dev.minigradient.producer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.JsonSerde;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The submission's progress bar: answered of total, decided and failed. */
class SubmitProgressTest {
  private static Result ok() {
    // built from JSON, as it arrives, so fields the record gains later keep their defaults
    Consensus decided =
        JsonSerde.MAPPER.convertValue(
            Map.of("taskId", "t1", "modelId", "m", "status", "DECIDED", "label", 7),
            Consensus.class);
    return new Result(new Input("a.png", null, new byte[] {1}, null, null), "t1", decided, 5, null);
  }

  private static Result failed() {
    return new Result(
        new Input("b.png", null, null, null, "no such file: b.png"),
        null,
        null,
        -1,
        "no such file: b.png");
  }

  @Test
  void theBarCountsAnswersAndTellsDecidedFromFailed() {
    // given a bar of three inputs drawn into a buffer
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    try (SubmitProgress p = SubmitProgress.on(out, 3, 100)) {
      // when two answers succeed and one fails
      p.answered(ok());
      p.answered(ok());
      p.answered(failed());
    }
    // then its final state says so
    String text = buf.toString(StandardCharsets.UTF_8);
    assertThat(text)
        .contains("tasks")
        .contains("100%")
        .contains("3/3")
        .contains("decided 2, failed 1");
  }

  @Test
  void noneDrawsNothing() {
    // given the process's stdout and stderr captured, where a bar would be drawn
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8);
    PrintStream err = System.err;
    PrintStream out = System.out;
    System.setErr(capture);
    System.setOut(capture);
    try (SubmitProgress p = SubmitProgress.none()) {
      // when answers arrive and the line is cleared
      p.answered(ok());
      p.answered(failed());
      p.clearLine();
    } finally {
      System.setErr(err);
      System.setOut(out);
    }
    // then not a character was written
    assertThat(buf.toString(StandardCharsets.UTF_8)).isEmpty();
  }
}
