package dev.minigradient.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minigradient.protocol.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * Models that are not images, end to end over a real broker: a tabular classifier's tasks are
 * decided by class, and a quantile regression's by value (votes within the model's tolerance, the
 * decision their median), each as the trainer answered the sample requests.
 */
class TensorModelsIT {
  private static final Path MODELS = Path.of("..", "models");

  /** Runs the network on a model's sample requests; returns each file's JSON answer line. */
  private static Map<String, JsonNode> decide(String model) throws Exception {
    CliRun run =
        CliRun.of(
            "network",
            "--model",
            MODELS.resolve(model).toString(),
            "--samples",
            MODELS.resolve(model).resolve("samples").toString(),
            "--port",
            "0",
            "--json");
    assertThat(run.exitCode()).as(run.err()).isZero();
    Map<String, JsonNode> byFile = new HashMap<>();
    for (String line : run.out().lines().toList()) {
      JsonNode n = Json.MAPPER.readTree(line);
      byFile.put(Path.of(n.get("file").asText()).getFileName().toString(), n);
    }
    return byFile;
  }

  private static List<String[]> predictions(String model) throws Exception {
    return Files.readAllLines(MODELS.resolve(model).resolve("predictions.csv")).stream()
        .skip(1)
        .map(l -> l.split(","))
        .toList();
  }

  @Test
  void aTabularClassifiersTasksAreDecidedByClass() throws Exception {
    Map<String, JsonNode> answers = decide("wine");
    List<String[]> expected = predictions("wine");
    assertThat(answers).hasSize(expected.size());
    for (String[] row : expected) {
      JsonNode a = answers.get(row[0]);
      assertThat(a.get("status").asText()).as(row[0]).isEqualTo("DECIDED");
      assertThat(a.get("label").asInt()).as(row[0]).isEqualTo(Integer.parseInt(row[2]));
      assertThat(a.has("values")).isFalse();
    }
  }

  @Test
  void aRegressionsTasksAreDecidedByValueAsTheTrainerAnswered() throws Exception {
    Map<String, JsonNode> answers = decide("diabetes");
    List<String[]> expected = predictions("diabetes");
    assertThat(answers).hasSize(expected.size());
    for (String[] row : expected) {
      JsonNode a = answers.get(row[0]);
      assertThat(a.get("status").asText()).as(row[0]).isEqualTo("DECIDED");
      JsonNode values = a.get("values");
      assertThat(values.size()).isEqualTo(3);
      for (int i = 0; i < 3; i++) {
        double want = Double.parseDouble(row[2 + i]);
        assertThat(values.get(i).asDouble())
            .as(row[0] + " element " + i)
            .isCloseTo(want, Offset.offset(Math.abs(want) * 1e-5));
      }
    }
  }
}
