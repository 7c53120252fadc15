package dev.minigradient.protocol.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test support: runs {@code promtool check metrics} on Prometheus text. The exposition must parse
 * (exit 1 is a parse error) and the network's own {@code mg_*} metrics must pass promtool's naming
 * lint (exit 3 lists lint problems; Kafka's and the JVM binders' own names, such as {@code
 * *_time_ns_total}, are theirs to keep).
 */
public final class Promtool {
  private Promtool() {}

  /**
   * Asserts that {@code text} passes {@code promtool check metrics}, as above.
   *
   * @param text the Prometheus text exposition
   * @param dir a folder for the file promtool reads
   * @throws Exception if promtool cannot be run or the file written
   */
  public static void assertValid(String text, Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("metrics.prom"), text);
    Process p =
        new ProcessBuilder("promtool", "check", "metrics")
            .redirectInput(file.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("promtool check metrics:\n" + out).isIn(0, 3);
    assertThat(out.lines().filter(l -> l.startsWith("mg_")).toList()).as(out).isEmpty();
  }
}
