package dev.minigradient.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.JsonSerde;
import dev.minigradient.protocol.Redundancy;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The {@code --redundancy} option, and the committee and escalation in each answer's line. */
class SubmitCommandTest {
  private static final String MODEL = "a".repeat(64);

  private static Result decided(String name, List<String> committee, String escalation) {
    Input in = new Input(name, null, new byte[] {1}, Input.labelOf(name), null);
    Consensus c =
        Consensus.builder()
            .taskId("t")
            .modelId(MODEL)
            .name(name)
            .status(ConsensusStatus.DECIDED)
            .label(7)
            .confidence(0.9)
            .agreeingWeight(3)
            .totalWeight(3)
            .decidedAt(40)
            .latencyMs(40)
            .committee(committee)
            .escalation(escalation)
            .inferences(4)
            .build();
    return new Result(in, "t", c, 40, null);
  }

  @Test
  void aRedundancyThatIsNotAPositiveIntegerOrAllExitsWithCode2AndOneLineSaysWhy() {
    for (String bad : new String[] {"0", "-1", "many", ""}) {
      // given the command with a bad --redundancy (and a broker that would never answer)
      StringWriter err = new StringWriter();
      CommandLine cmd = new CommandLine(new SubmitCommand());
      cmd.setErr(new PrintWriter(err));

      // when it runs
      int code =
          cmd.execute(
              "--redundancy",
              bad,
              "--model-id",
              MODEL,
              "--bootstrap-servers",
              "127.0.0.1:9",
              "--connect-timeout",
              "1",
              "digit.png");

      // then picocli refuses the argument before anything connects: exit 2, the reason on the first
      // line
      assertThat(code).as(bad).isEqualTo(2);
      assertThat(err.toString().lines().findFirst())
          .as(bad)
          .contains(
              "invalid --redundancy: redundancy must be a positive integer (at most "
                  + Redundancy.MAX
                  + ") or \"all\", got: "
                  + bad);
    }
  }

  @Test
  void theRedundancyOptionTakesAPositiveIntegerOrAllAndIsAbsentByDefault() {
    SubmitCommand three = new SubmitCommand();
    new CommandLine(three).parseArgs("--redundancy", "3", "x.png");
    SubmitCommand all = new SubmitCommand();
    new CommandLine(all).parseArgs("--redundancy=ALL", "x.png");
    SubmitCommand none = new SubmitCommand();
    new CommandLine(none).parseArgs("x.png");

    assertThat(three.redundancy).isEqualTo(3);
    assertThat(all.redundancy).isEqualTo(Redundancy.ALL);
    assertThat(none.redundancy).isNull();
  }

  @Test
  void aSubmittedTaskCarriesTheRedundancyOnTheWire() throws Exception {
    Input in = new Input("digit.png", null, new byte[] {1, 2, 3}, null, null);

    Task three = Submitter.task("t1", MODEL, in, "cli", 3);
    Task all = Submitter.task("t2", MODEL, in, "cli", Redundancy.ALL);
    Task byDefault = Submitter.task("t3", MODEL, in, "cli", null);

    JsonNode threeJson = JsonSerde.MAPPER.readTree(json(three));
    assertThat(three.redundancy()).isEqualTo(3);
    assertThat(threeJson.get("redundancy").asInt()).isEqualTo(3);
    assertThat(JsonSerde.MAPPER.readTree(json(all)).get("redundancy").asText()).isEqualTo("all");
    assertThat(JsonSerde.MAPPER.readTree(json(byDefault)).has("redundancy")).isFalse();
    assertThat(threeJson.get("contentType").asText()).isEqualTo("image/png");
    assertThat(threeJson.get("name").asText()).isEqualTo("digit.png");
  }

  private static String json(Task t) {
    return new String(
        Topics.TASKS.valueSerde().serializer().serialize("t", t), StandardCharsets.UTF_8);
  }

  @Test
  void eachAnswersLineShowsItsSeatsAndWhyTheRefereeDecidedIt() throws Exception {
    // given an answer from a drawn committee (p1 holds two of its three seats), escalated, and
    // one from every peer
    Result escalated = decided("d-label-7.png", List.of("p1", "p3", "p1"), "disagreement");
    Result everyone = decided("e-label-7.png", List.of(), null);

    // when they are printed as table rows and JSON lines
    String row = SubmitCommand.tableLine(escalated, List.of());
    String allRow = SubmitCommand.tableLine(everyone, List.of());
    JsonNode line = JsonSerde.MAPPER.readTree(SubmitCommand.jsonLine(escalated, List.of()));
    JsonNode allLine = JsonSerde.MAPPER.readTree(SubmitCommand.jsonLine(everyone, List.of()));

    // then the table's seats column says 3 or all, and the check column the escalation
    assertThat(seatsCell(row)).isEqualTo("    3");
    assertThat(row).endsWith("  ok; escalated: disagreement");
    assertThat(seatsCell(allRow)).isEqualTo("  all");
    assertThat(allRow).endsWith("  ok");
    // and the JSON line has the seats as a redundancy is written, the escalation and the model runs
    assertThat(line.get("seats").asInt()).isEqualTo(3);
    assertThat(line.get("escalation").asText()).isEqualTo("disagreement");
    assertThat(line.get("inferences").asInt()).isEqualTo(4);
    assertThat(allLine.get("seats").asText()).isEqualTo("all");
    assertThat(allLine.get("escalation").isNull()).isTrue();
  }

  /** The row's characters under the header's right-aligned {@code seats}. */
  private static String seatsCell(String row) {
    String header = SubmitCommand.tableHeader();
    int end = header.indexOf(" seats ") + " seats".length();
    return row.substring(end - 5, end);
  }

  @Test
  void theTableHeaderNamesTheSeatsColumnAboveItsValues() {
    String row =
        SubmitCommand.tableLine(
            decided("d-label-7.png", List.of("p1", "p2", "p3", "p4", "p5"), null), List.of());

    assertThat(SubmitCommand.tableHeader()).startsWith("input ").contains(" support seats   conf ");
    assertThat(seatsCell(row)).isEqualTo("    5");
    assertThat(row.charAt(SubmitCommand.tableHeader().indexOf(" seats ") + " seats".length()))
        .isEqualTo(' ');
  }
}
