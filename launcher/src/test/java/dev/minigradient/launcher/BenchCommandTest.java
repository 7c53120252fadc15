package dev.minigradient.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** {@code bench}'s argument checks: one line on stderr and exit 2, before anything starts. */
class BenchCommandTest {
  @TempDir Path tmp;

  private static int run(StringWriter err, String... args) {
    CommandLine cmd = MiniGradient.commandLine();
    cmd.setOut(new PrintWriter(new StringWriter()));
    cmd.setErr(new PrintWriter(err));
    return cmd.execute(args);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-5", "abc", "9"})
  void refusesTaskCountsOutOfRange(String tasks) {
    StringWriter err = new StringWriter();
    assertThat(run(err, "bench", "--tasks", tasks)).isEqualTo(2);
    assertThat(err.toString().strip()).startsWith("bench: ").doesNotContain("\n");
  }

  @Test
  void refusesAnUnknownOption() {
    StringWriter err = new StringWriter();
    assertThat(run(err, "bench", "--fast")).isEqualTo(2);
    assertThat(err.toString().strip()).contains("--fast").doesNotContain("\n");
  }

  @Test
  void refusesAnUnknownSection() {
    StringWriter err = new StringWriter();
    assertThat(run(err, "bench", "--only", "worker,gpu")).isEqualTo(2);
    assertThat(err.toString().strip()).contains("--only").contains("gpu").doesNotContain("\n");
  }

  @Test
  void namesScaleAmongTheSectionsWhenRefusingAnUnknownOne() {
    StringWriter err = new StringWriter();
    assertThat(run(err, "bench", "--only", "scale,gpu")).isEqualTo(2);
    assertThat(err.toString().strip())
        .contains("--only")
        .contains("gpu")
        .contains("[consensus, models, network, scale, worker]")
        .doesNotContain("\n");
  }

  @Test
  void onlyScaleSelectsTheScaleSectionAlone() {
    // given
    Bench.Options all = Bench.Options.of(true, null);

    // when
    Bench.Options scale = all.only(Set.of("scale"));

    // then
    assertThat(all.sections())
        .containsExactlyInAnyOrder("worker", "models", "network", "consensus", "scale");
    assertThat(scale.sections()).containsExactly("scale");
    assertThat(BenchReport.SECTIONS).contains("scale");
  }

  @Test
  void refusesAReportDirThatIsAFile() throws Exception {
    Path file = Files.writeString(tmp.resolve("f"), "x");
    StringWriter err = new StringWriter();
    assertThat(run(err, "bench", "--report-dir", file.toString())).isEqualTo(2);
    assertThat(err.toString().strip()).contains("is a file").doesNotContain("\n");
  }

  @Test
  void refusesAReportDirThatCannotBeCreatedBeforeRunning() throws Exception {
    Path file = Files.writeString(tmp.resolve("g"), "x");
    StringWriter err = new StringWriter();
    assertThat(run(err, "bench", "--report-dir", file.resolve("sub").toString())).isEqualTo(2);
    assertThat(err.toString().strip()).contains("cannot be created").doesNotContain("\n");
    assertThat(err.toString()).as("no section ran").doesNotContain("worker:");
  }

  @Test
  void refusesMissingSamples() {
    StringWriter err = new StringWriter();
    assertThat(run(err, "bench", "--samples", tmp.resolve("none").toString())).isEqualTo(2);
    assertThat(err.toString().strip()).contains("samples not found").doesNotContain("\n");
  }
}
