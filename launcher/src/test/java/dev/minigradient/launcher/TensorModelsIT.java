package dev.minigradient.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minigradient.model.ServedModel;
import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.DeadLetters;
import dev.minigradient.protocol.InferenceRequest;
import dev.minigradient.protocol.Json;
import dev.minigradient.protocol.ModelIds;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.Tensor;
import dev.minigradient.protocol.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Models that are not images, end to end over a real broker: a tabular classifier's tasks are
 * decided by class and a quantile regression's by value (votes within the model's tolerance, the
 * decision their median), each as the trainer answered the sample requests; a tensor task the model
 * cannot take, sent straight to Kafka, is refused with its reason and dead-lettered.
 */
class TensorModelsIT {
  @RegisterExtension
  static final TestNetwork.PerClass running =
      new TestNetwork.PerClass(TestNetwork.WINE, TestNetwork.DIABETES);

  private static List<String[]> predictions(Path model) throws Exception {
    return Files.readAllLines(model.resolve("predictions.csv")).stream()
        .skip(1)
        .map(l -> l.split(","))
        .toList();
  }

  /** Each answer line of a JSON run, by file name. */
  private static Map<String, JsonNode> byFile(CliRun run) throws Exception {
    Map<String, JsonNode> out = new HashMap<>();
    for (String line : run.out().lines().toList()) {
      JsonNode n = Json.MAPPER.readTree(line);
      out.put(Path.of(n.get("file").asText()).getFileName().toString(), n);
    }
    return out;
  }

  @Test
  void aTabularClassifiersTasksAreDecidedByClass() throws Exception {
    Path wine = TestNetwork.WINE;
    CliRun run =
        CliRun.of(
            "task-producer",
            "--bootstrap-servers",
            running.network().kafka().bootstrapServers(),
            "--model",
            wine.toString(),
            "--json",
            wine.resolve("samples").toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    Map<String, JsonNode> answers = byFile(run);
    List<String[]> expected = predictions(wine);
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
    // the network command: it starts a network of its own and submits the model's own samples
    Path diabetes = TestNetwork.DIABETES;
    CliRun run = CliRun.of("network", "--model", diabetes.toString(), "--port", "0", "--json");
    assertThat(run.exitCode()).as(run.err()).isZero();
    Map<String, JsonNode> answers = byFile(run);
    List<String[]> expected = predictions(diabetes);
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

  @Test
  void aTensorTaskTheModelCannotTakeIsRejectedWithItsReasonAndDeadLettered() throws Exception {
    // given a wine task of 12 features, written straight to the tasks topic (no CLI to stop it)
    ModelSpec wine = ModelSpec.load(TestNetwork.WINE);
    byte[] input = InferenceRequest.write(List.of(Tensor.fp32("features", new float[12], 1, 12)));
    Task task =
        Task.of(
            UUID.randomUUID().toString(),
            ModelIds.of(wine.onnx()),
            input,
            InferenceRequest.MEDIA_TYPE,
            "test",
            "short.json");
    try (KafkaProducer<String, Task> producer =
        new KafkaProducer<>(
            running.network().kafka().properties(new HashMap<>()),
            new StringSerializer(),
            Topics.TASKS.valueSerde().serializer())) {
      producer.send(new ProducerRecord<>(Topics.TASKS.name(), task.taskId(), task)).get();
    }

    // then the network rejects it, and every seated peer dead-letters it with the reason
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              Consensus c = null;
              for (ConsumerRecord<String, byte[]> r :
                  TestNetwork.readAll(running.network().kafka(), Topics.CONSENSUS.name())) {
                if (task.taskId().equals(r.key())) {
                  c = Topics.CONSENSUS.valueSerde().deserializer().deserialize("", r.value());
                }
              }
              assertThat(c).isNotNull();
              assertThat(c.status()).isEqualTo(ConsensusStatus.REJECTED);
              assertThat(c.rejection()).isEqualTo(ServedModel.BAD_TENSOR);
              List<String> reasons = new ArrayList<>();
              List<String> components = new ArrayList<>();
              for (ConsumerRecord<String, byte[]> r :
                  TestNetwork.readAll(running.network().kafka(), Topics.DEAD_LETTERS.name())) {
                if (task.taskId().equals(r.key())) {
                  reasons.add(DeadLetters.header(r.headers(), DeadLetters.REASON));
                  components.add(DeadLetters.header(r.headers(), DeadLetters.COMPONENT));
                }
              }
              assertThat(reasons).hasSize(3).containsOnly(ServedModel.BAD_TENSOR);
              assertThat(components).allSatisfy(comp -> assertThat(comp).isNotBlank());
            });
  }
}
