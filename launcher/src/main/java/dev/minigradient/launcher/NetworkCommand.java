package dev.minigradient.launcher;

import dev.minigradient.protocol.cli.ModelRegistryOptions;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.producer.Input;
import dev.minigradient.protocol.Redundancy;
import dev.minigradient.protocol.cli.Shutdown;
import dev.minigradient.producer.SubmitCommand;
import dev.minigradient.producer.Submitter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code network}: starts the whole network in this process (an in-JVM KRaft broker unless
 * {@code --bootstrap-servers} names a cluster), submits the sample digits, prints each consensus
 * and a summary.
 */
@Command(
    name = "network",
    mixinStandardHelpOptions = true,
    description = "Runs the whole network in one process (a Kafka broker in KRaft mode inside this JVM, N peers, the consensus Streams app, the HTTP API), submits the sample digits and prints the answers.")
public final class NetworkCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--redundancy", defaultValue = "${env:MG_REDUNDANCY:-3}", description = "(env MG_REDUNDANCY) Committee seats of a task that names none: a positive integer, or 'all' for every peer (default: ${DEFAULT-VALUE}); a network of at most that many peers seats every peer.")
  String redundancy;

  @Option(names = "--peers", defaultValue = "3", description = "Number of peers (default: ${DEFAULT-VALUE}).")
  int peers;

  @Option(names = "--model", defaultValue = "mnist,fashion-mnist", split = ",", description = "Models the peers serve: names under --models-dir, model folders or .onnx files; the samples go to the first (default: ${DEFAULT-VALUE}).")
  List<String> models;

  @picocli.CommandLine.Mixin ModelRegistryOptions registry;

  @Option(names = "--samples", defaultValue = "${env:MG_HOME:-.}/models/mnist/samples", description = "Images to submit: a folder or file (default: ${DEFAULT-VALUE}).")
  Path samples;

  @Option(names = "--limit", description = "Submit at most this many samples, taken in turn from each label.")
  Integer limit;

  @Option(names = "--port", defaultValue = "8000", description = "HTTP port of the API (default: ${DEFAULT-VALUE}); 0 picks a free one.")
  int port;

  @Option(names = "--bootstrap-servers", description = "Use this Kafka cluster instead of starting one.")
  String bootstrapServers;

  @Option(
      names = "--kafka",
      paramLabel = "KEY=VALUE",
      description = "With --bootstrap-servers: any Kafka client setting, e.g. --kafka security.protocol=SSL (repeatable; env MG_KAFKA_SECURITY_PROTOCOL=SSL works too). The in-JVM broker takes neither.")
  java.util.Map<String, String> kafka = new java.util.LinkedHashMap<>();

  @Option(names = "--partitions", defaultValue = "3", description = "Partitions per topic when creating them (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--timeout-ms", defaultValue = "10000", description = "Consensus deadline per task, ms (default: ${DEFAULT-VALUE}).")
  long timeoutMs;

  @Option(names = "--commit-interval-ms", defaultValue = "100", description = "Commit interval of the consensus app, ms (default: ${DEFAULT-VALUE}).")
  long commitIntervalMs;

  @Option(names = "--exactly-once", description = "Run the consensus app exactly_once_v2 instead of at_least_once (nothing written twice, but decisions wait for the next commit).")
  boolean exactlyOnce;

  @Option(names = "--max-in-flight", defaultValue = "32", description = "Most tasks submitted and not yet answered (default: ${DEFAULT-VALUE}).")
  int maxInFlight;

  @Option(names = "--json", description = "Print one JSON line per input instead of a table.")
  boolean json;

  @Option(names = "--report", paramLabel = "FILE", description = "Also write the summary as JSON to FILE.")
  Path report;

  @Option(names = "--keep-running", description = "Keep the network (and http://localhost:PORT/metrics) up until Ctrl-C.")
  boolean keepRunning;

  @Override
  public Integer call() throws Exception {
    CommandLine cmd = spec.commandLine();
    List<ModelSpec> specs;
    try {
      specs = models.stream().map(m -> registry.resolve(m)).toList();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cmd, e.getMessage() + " (run from the repository root, or set MG_HOME)");
    }
    if (maxInFlight < 1) {
      throw new CommandLine.ParameterException(cmd, "--max-in-flight must be >= 1");
    }
    if (!Files.exists(samples)) {
      throw new CommandLine.ParameterException(cmd, "samples not found: " + samples);
    }
    List<Input> inputs = Submitter.read(List.of(samples));
    if (limit != null) {
      if (limit < 1) {
        throw new CommandLine.ParameterException(cmd, "--limit must be >= 1");
      }
      inputs = Simulation.balanced(inputs, limit); // in turn from each label: a short run sees every class
    }
    EmbeddedNetwork.Options options;
    try {
      options = EmbeddedNetwork.Options.honest(bootstrapServers, peers, specs, port, partitions, timeoutMs, commitIntervalMs, exactlyOnce)
          .withKafka(kafka)
          .withRedundancy(Redundancy.parse(redundancy));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cmd, e.getMessage());
    }
    PrintWriter out = cmd.getOut();
    PrintWriter err = cmd.getErr();
    long t0 = System.currentTimeMillis();
    err.println("starting the network: " + (bootstrapServers == null ? "in-JVM Kafka broker (KRaft)" : bootstrapServers) + ", " + peers + " peers, consensus, API...");
    err.flush();
    try (EmbeddedNetwork network = EmbeddedNetwork.start(options, Duration.ofSeconds(90))) {
      err.printf(
          "ready in %.1f s: Kafka at %s, API at http://localhost:%d/metrics, model %s...%n",
          (System.currentTimeMillis() - t0) / 1000.0, network.kafka().bootstrapServers(), network.httpPort(), network.modelId().substring(0, 12));
      err.printf("submitting %d images from %s%n", inputs.size(), samples);
      err.flush();
      SubmitCommand.Outcome outcome;
      try (Submitter submitter = new Submitter(network.kafka(), "network-demo", Duration.ofSeconds(10))) {
        outcome = SubmitCommand.run(submitter, inputs, network.modelId(), specs.get(0).labels(), maxInFlight, Duration.ofMillis(timeoutMs + 30_000), json, out);
      }
      if (report != null) {
        SubmitCommand.writeReport(report, outcome.summary());
        err.println("report written to " + report);
      }
      if (keepRunning) {
        err.printf("network running; try: curl localhost:%d/metrics   (Ctrl-C stops)%n", network.httpPort());
        err.flush();
        Shutdown.closeOnShutdown(network);
      }
      return outcome.summary().failed() == 0 ? 0 : 1;
    }
  }
}
