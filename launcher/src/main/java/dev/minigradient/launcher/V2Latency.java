package dev.minigradient.launcher;

import dev.minigradient.launcher.BenchReport.Figure;
import dev.minigradient.producer.Input;
import dev.minigradient.producer.Result;
import dev.minigradient.producer.Submitter;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.ModelSpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench}'s models section, its last figure: what the Open Inference Protocol's {@code POST
 * /v2/models/{name}/infer} adds to a task's latency, against submitting the same requests with the
 * task producer, one at a time on one network (3 honest peers, the API), each measured by its
 * client from send to answer.
 */
final class V2Latency {
  private V2Latency() {}

  /**
   * Measures both paths on a network of its own and adds the figure.
   *
   * @param ctx the run
   * @param spec a tensor model
   * @param inputs its sample requests (V2 JSON), at least one
   * @throws IOException if the network's state folder cannot be made
   * @throws IllegalStateException if a request is not decided
   */
  static void run(BenchContext ctx, ModelSpec spec, List<Input> inputs) throws IOException {
    int n = ctx.options().latencyTasks();
    ctx.progress("models: V2 endpoint against task-producer, %s, %d tasks each...", spec.name(), n);
    EmbeddedNetwork.Options options =
        EmbeddedNetwork.Options.honest(
            null, 3, List.of(spec), 0, Bench.PARTITIONS, 10_000, 100, false);
    double[] producer;
    double[] v2;
    try (EmbeddedNetwork network = EmbeddedNetwork.start(options, Duration.ofSeconds(90))) {
      List<Input> tasks = new ArrayList<>();
      for (int i = 0; i < n + 10; i++) {
        tasks.add(inputs.get(i % inputs.size()));
      }
      try (Submitter s = new Submitter(network.kafka(), "bench-v2", Duration.ofSeconds(10))) {
        List<Result> rs =
            s.submitAndAwait(tasks, network.modelId(), 1, Duration.ofSeconds(30), r -> {});
        producer =
            rs.subList(10, rs.size()).stream()
                .filter(Result::decided)
                .mapToDouble(Result::latencyMs)
                .sorted()
                .toArray();
      }
      v2 = infer(network.httpPort(), spec.name(), tasks);
    }
    if (producer.length < n || v2.length < n) {
      throw new IllegalStateException(
          "V2 latency: " + producer.length + " and " + v2.length + " of " + n + " decided");
    }
    double p50 = Bench.pct(v2, 50);
    double base = Bench.pct(producer, 50);
    ctx.progress("models: V2 p50 %.1f ms, task-producer p50 %.1f ms", p50, base);
    ctx.figure(
        Figure.atMost(
            ModelsSection.SECTION,
            "POST /v2/models/" + spec.name() + "/infer, latency p50 (1 in flight)",
            p50,
            "ms",
            "task-producer, the same requests",
            base,
            Double.NaN));
    ctx.note(
        String.format(
            Locale.ROOT,
            "models: the V2 endpoint adds %.1f ms at the median (p99 %.1f against %.1f ms): the HTTP"
                + " hop, the API's publish and its wait for the decision on the live feed.",
            p50 - base,
            Bench.pct(v2, 99),
            Bench.pct(producer, 99)));
  }

  /** Posts each request in turn (the first 10 untimed); the decided ones' latencies, sorted. */
  private static double[] infer(int port, String model, List<Input> tasks) {
    HttpClient http = HttpClient.newHttpClient();
    URI uri = URI.create("http://127.0.0.1:" + port + "/v2/models/" + model + "/infer");
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < tasks.size(); i++) {
      HttpRequest req =
          HttpRequest.newBuilder(uri)
              .timeout(Duration.ofSeconds(60))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(tasks.get(i).bytes()))
              .build();
      long t0 = System.nanoTime();
      try {
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        double ms = (System.nanoTime() - t0) / 1e6;
        if (r.statusCode() == 200 && r.body().contains(ConsensusStatus.DECIDED.name())) {
          if (i >= 10) {
            out.add(ms);
          }
        } else if (i >= 10) {
          throw new IllegalStateException("V2 infer answered " + r.statusCode() + ": " + r.body());
        }
      } catch (IOException e) {
        throw new IllegalStateException("V2 infer failed: " + e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
    return out.stream().mapToDouble(Double::doubleValue).sorted().toArray();
  }
}
