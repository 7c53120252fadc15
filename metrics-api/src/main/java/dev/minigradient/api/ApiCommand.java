package dev.minigradient.api;

import dev.minigradient.protocol.cli.KafkaOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code metrics-api}: serves the HTTP API until interrupted. */
@Command(
    name = "metrics-api",
    mixinStandardHelpOptions = true,
    description = "Serves /metrics, /health and /api over the network's state (Kafka Streams global tables).")
public final class ApiCommand implements Callable<Integer> {
  @Mixin KafkaOptions kafka;

  @Option(names = "--port", defaultValue = "8000", description = "HTTP port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--state-dir", defaultValue = "state/api", description = "State store directory (default: ${DEFAULT-VALUE}).")
  Path stateDir;

  @Override
  public Integer call() throws Exception {
    // Global stores need no consumer group: instances share the id, each keeps its own state dir.
    String appId = "mini-gradient-api";
    CountDownLatch done = new CountDownLatch(1);
    try (ApiService api = new ApiService(kafka.settings(), appId, stateDir.resolve("port-" + port), port)) {
      Runtime.getRuntime().addShutdownHook(new Thread(done::countDown));
      api.start();
      System.out.println("metrics-api listening on http://localhost:" + api.port() + "/metrics");
      done.await();
    }
    return 0;
  }
}
