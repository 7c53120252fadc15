package dev.minigradient.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ProcessChaosTest {
  @Test
  void percentileIsTheNearestRank() {
    List<Long> v = List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
    assertThat(ProcessChaos.percentile(v, 0.50)).isEqualTo(5);
    assertThat(ProcessChaos.percentile(v, 0.99)).isEqualTo(10);
    assertThat(ProcessChaos.percentile(List.of(7L), 0.5)).isEqualTo(7);
    assertThat(ProcessChaos.percentile(List.of(), 0.5)).isEqualTo(-1);
  }

  @Test
  void residentMemoryComesFromVmRss() {
    assertThat(
            ProcessChaos.vmRss(List.of("Name:\tjava", "VmPeak:\t 9000 kB", "VmRSS:\t  204800 kB")))
        .contains(204800L);
    assertThat(ProcessChaos.vmRss(List.of("Name:\tjava"))).isEmpty();
    // this very process has one, on Linux
    assertThat(ProcessChaos.rssKib(ProcessHandle.current().pid()))
        .hasValueSatisfying(kib -> assertThat(kib).isGreaterThan(1024));
    assertThat(ProcessChaos.rssKib(Long.MAX_VALUE)).isEmpty();
  }

  @Test
  void thePlanRefusesNonsense() {
    assertThatThrownBy(
            () ->
                new ProcessChaos.Plan(0, Duration.ofSeconds(3), true, true, Duration.ofSeconds(60)))
        .hasMessageContaining("--tasks");
    assertThatThrownBy(
            () -> new ProcessChaos.Plan(10, Duration.ZERO, true, true, Duration.ofSeconds(60)))
        .hasMessageContaining("interval");
  }

  @Test
  void theMarkdownReportHasAWindowPerRowAndAProcessPerColumn() {
    ProcessChaos.Outcome o =
        new ProcessChaos.Outcome(
            100,
            100,
            List.of(
                "peer-1 killed (SIGKILL) at 3 and started again",
                "consensus-streams killed (SIGKILL) at 40"),
            1,
            List.of(),
            List.of(
                new ProcessChaos.Window(
                    0,
                    60,
                    70,
                    80,
                    400,
                    2100,
                    new TreeMap<>(Map.of("broker-1", 500L, "peer-1", 180L))),
                new ProcessChaos.Window(1, 75, 30, 90, 500, 700, Map.of("broker-1", 510L))),
            null,
            75);
    String md = ProcessChaos.markdown(o);
    assertThat(md)
        .contains("100 tasks, 100 answered, in 75 s; 1 peer kills; 0 crashes")
        .contains("- consensus-streams killed (SIGKILL) at 40")
        .doesNotContain("- peer-1 killed")
        .contains("| 60 | 70 | 80 | 400 | 2100 |")
        .contains("| 75 | 30 | 90 | 500 | 700 | 510 | - |");
    assertThat(o.passed()).isFalse(); // no audit
  }

  @Test
  void commandsRefuseBadArgumentsBeforeStartingAnything() {
    for (String[] args :
        List.of(
            new String[] {"process-chaos", "--tasks", "0"},
            new String[] {"soak", "--peer-kill-every-s", "0"},
            new String[] {"soak", "--peers", "0"})) {
      CommandLine cmd = MiniGradient.commandLine();
      StringWriter err = new StringWriter();
      cmd.setErr(new PrintWriter(err));
      assertThat(cmd.execute(args)).as(String.join(" ", args)).isEqualTo(2);
      assertThat(err.toString()).as(String.join(" ", args)).contains("must be");
    }
  }
}
