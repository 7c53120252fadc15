package dev.minigradient.worker;

import dev.minigradient.protocol.TopicAdmin;
import dev.minigradient.protocol.cli.KafkaOptions;
import dev.minigradient.protocol.cli.Shutdown;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code inference-worker}: runs one peer until interrupted (Ctrl-C, SIGTERM). */
@Command(
    name = "inference-worker",
    mixinStandardHelpOptions = true,
    description = "Runs one peer: reads every task, runs the ONNX model, publishes signed votes.")
public final class WorkerCommand implements Callable<Integer> {
  @Mixin KafkaOptions kafka;

  @Option(names = "--peer-id", required = true, description = "This peer's id; instances with the same id share its work.")
  String peerId;

  @Option(names = "--model", defaultValue = "${env:MG_HOME:-.}/models/mnist/model.onnx", description = "ONNX model to serve (default: ${DEFAULT-VALUE}).")
  Path model;

  @Option(names = "--stake", defaultValue = "100", description = "Stake to declare, tokens (default: ${DEFAULT-VALUE}).")
  double stake;

  @Option(names = "--heartbeat-ms", defaultValue = "2000", description = "Heartbeat interval, ms (default: ${DEFAULT-VALUE}).")
  long heartbeatMs;

  @Option(names = "--partitions", defaultValue = "6", description = "Partitions of topics created if missing (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Override
  public Integer call() throws Exception {
    WorkerConfig config;
    try {
      config = new WorkerConfig(peerId, kafka.settings(), model, stake, heartbeatMs, 60_000, 40_000_000L);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
    }
    TopicAdmin.ensureTopics(config.kafka(), partitions, Optional.empty(), Duration.ofSeconds(15));
    InferenceEngine engine = OnnxInferenceEngine.open(model);
    PeerWorker worker;
    try {
      worker = new PeerWorker(config, engine);
      worker.start();
    } catch (RuntimeException e) {
      engine.close();
      throw e;
    }
    System.err.println("peer " + peerId + " serving model " + engine.modelId() + " via " + config.kafka().bootstrapServers());
    Shutdown.closeOnShutdown(
        () -> {
          worker.close();
          engine.close();
        });
    return 0;
  }
}
