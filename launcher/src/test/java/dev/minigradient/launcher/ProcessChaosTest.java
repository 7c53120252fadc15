package dev.minigradient.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minigradient.consensus.LedgerReplay;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.JsonSerde;
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
  void theMarkdownReportHasAWindowPerRowAndAProcessPerColumn() throws Exception {
    ProcessChaos.Outcome o =
        new ProcessChaos.Outcome(
            100,
            100,
            List.of(
                "peer-1 killed (SIGKILL) at 3 answered, started again",
                "peer-2 killed (SIGKILL) at 20 answered, started again",
                "peer-1 killed (SIGKILL) at 35 answered, started again",
                "consensus-streams killed (SIGKILL) at 40 answered"),
            3,
            List.of(),
            List.of("broker-2 stop (the run ended first)"),
            List.of(
                new ProcessChaos.Window(
                    0,
                    60,
                    70,
                    80,
                    400,
                    2100,
                    new TreeMap<>(Map.of("broker-1", 500L, "peer-1", 180L))),
                new ProcessChaos.Window(1, 70, 0, -1, -1, -1, Map.of("broker-1", 505L)),
                new ProcessChaos.Window(2, 75, 30, 90, 500, 700, Map.of("broker-1", 510L))),
            null,
            75);
    String md = ProcessChaos.markdown(o);
    assertThat(md)
        .startsWith("FAILED: 100 tasks, 100 answered, in 75 s; 3 peer kills; 0 crashes")
        .contains("- consensus-streams killed (SIGKILL) at 40 answered")
        .contains("- peers killed (SIGKILL) and started again: peer-1 2 times, peer-2 1 time")
        .contains("- skipped: broker-2 stop (the run ended first)")
        .doesNotContain("- peer-1 killed")
        .contains("| 60 | 70 | 80 | 400 | 2100 |")
        .contains("| 70 | 0 | - | - | - | 505 | - |")
        .contains("| 75 | 30 | 90 | 500 | 700 | 510 | - |");
    assertThat(o.passed()).isFalse(); // no audit, and a fault skipped
    JsonNode json = JsonSerde.MAPPER.readTree(JsonSerde.MAPPER.writeValueAsString(o));
    assertThat(json.path("passed").isBoolean()).isTrue();
    assertThat(json.path("passed").booleanValue()).isFalse();
  }

  @Test
  void aSkippedFaultFailsARunThatOtherwisePassed() {
    LedgerReplay.Findings consistent =
        new LedgerReplay.Findings(
            10,
            Map.of(ConsensusStatus.DECIDED, 10L),
            0,
            0,
            30,
            30,
            0,
            0,
            Map.of(),
            Map.of(),
            Map.of());
    ProcessChaos.Outcome all =
        new ProcessChaos.Outcome(
            10, 10, List.of(), 0, List.of(), List.of(), List.of(), consistent, 5);
    assertThat(all.passed()).isTrue();
    ProcessChaos.Outcome skipped =
        new ProcessChaos.Outcome(
            10,
            10,
            List.of(),
            0,
            List.of(),
            List.of("consensus-streams kill (the run ended first)"),
            List.of(),
            consistent,
            5);
    assertThat(skipped.passed()).isFalse();
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

  @Test
  void reportFilesThatCouldNotBeWrittenAreRefusedBeforeTheRun() {
    for (String[] args :
        List.of(
            new String[] {"process-chaos", "--markdown", "/no-such-folder/pc.md"},
            new String[] {"soak", "--report", "/no-such-folder/soak.json"},
            new String[] {"soak", "--report", System.getProperty("java.io.tmpdir")})) {
      CommandLine cmd = MiniGradient.commandLine();
      StringWriter err = new StringWriter();
      cmd.setErr(new PrintWriter(err));
      assertThat(cmd.execute(args)).as(String.join(" ", args)).isEqualTo(2);
      assertThat(err.toString()).as(String.join(" ", args)).contains(args[1]);
    }
  }
}
