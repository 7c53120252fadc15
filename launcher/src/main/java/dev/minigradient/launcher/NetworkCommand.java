package dev.minigradient.launcher;

import dev.minigradient.api.ApiPortOption;
import dev.minigradient.consensus.ConsensusConfig;
import dev.minigradient.consensus.DeadlineOption;
import dev.minigradient.consensus.ExactlyOnceOption;
import dev.minigradient.consensus.RedundancyOption;
import dev.minigradient.model.OnnxInferenceEngine;
import dev.minigradient.producer.Input;
import dev.minigradient.producer.SubmitCommand;
import dev.minigradient.producer.SubmitOptions;
import dev.minigradient.producer.SubmitProgress;
import dev.minigradient.producer.Submitter;
import dev.minigradient.producer.TensorInputs;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.cli.Arguments;
import dev.minigradient.protocol.cli.BaseCommand;
import dev.minigradient.protocol.cli.ModelsOptions;
import dev.minigradient.protocol.cli.PartitionsOption;
import dev.minigradient.protocol.cli.ReportOption;
import dev.minigradient.protocol.cli.Shutdown;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code network}: starts the whole network in this process (an in-JVM KRaft broker unless {@code
 * --bootstrap-servers} names a cluster), submits the sample digits, prints each consensus and a
 * summary.
 */
@Command(
    name = "network",
    description =
        "Runs the whole network in one process (a Kafka broker in KRaft mode inside this JVM, N peers, the consensus Streams app, the HTTP API), submits the sample digits and prints the answers.")
public final class NetworkCommand extends BaseCommand {

  @Mixin RedundancyOption redundancy;

  @Option(
      names = "--peers",
      defaultValue = "3",
      description = "Number of peers (default: ${DEFAULT-VALUE}).")
  int peers;

  @Mixin ModelsOptions models;

  @Mixin SamplesOption samples;

  @Option(
      names = "--limit",
      description = "Submit at most this many samples, taken in turn from each label.")
  Integer limit;

  @Mixin ApiPortOption port;

  @Option(
      names = "--bootstrap-servers",
      description =
          "Use this Kafka cluster instead of starting one (unlike the components' option, it reads no MG_BOOTSTRAP_SERVERS: without it the network starts its own broker).")
  String bootstrapServers;

  @Option(
      names = "--kafka",
      paramLabel = "KEY=VALUE",
      description =
          "With --bootstrap-servers: any Kafka client setting, e.g. --kafka security.protocol=SSL (repeatable; env MG_KAFKA_SECURITY_PROTOCOL=SSL works too). The in-JVM broker takes neither.")
  Map<String, String> kafka = new LinkedHashMap<>();

  @Mixin PartitionsOption partitions;

  @Mixin DeadlineOption deadline;

  @Option(
      names = "--commit-interval-ms",
      defaultValue = "100",
      description = "Commit interval of the consensus app, ms (default: ${DEFAULT-VALUE}).")
  long commitIntervalMs;

  @Mixin ExactlyOnceOption guarantee;

  @Mixin SubmitOptions submit;

  @Mixin ReportOption report;

  @Option(
      names = "--keep-running",
      description = "Keep the network (and http://localhost:PORT/metrics) up until Ctrl-C.")
  boolean keepRunning;

  @Override
  protected int run(CommandLine cmd) throws Exception {
    List<ModelSpec> specs;
    try {
      specs = models.resolveAll();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          cmd, e.getMessage() + " (run from the repository root, or set MG_HOME)");
    }
    if (submit.maxInFlight() < 1) {
      throw new CommandLine.ParameterException(cmd, "--max-in-flight must be >= 1");
    }
    for (ModelSpec spec : specs) {
      try {
        // the description against the model first, so a wrong model.json is named as such
        OnnxInferenceEngine.open(spec).close();
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw new CommandLine.ParameterException(cmd, e.getMessage());
      }
    }
    Path own = specs.get(0).onnx().toAbsolutePath().getParent().resolve("samples");
    List<Input> inputs =
        !cmd.getParseResult().hasMatchedOption("--samples") && Files.isDirectory(own)
            ? Submitter.read(List.of(own)) // the model's own samples, not the digits
            : samples.read(cmd);
    if (specs.get(0).isTensors()) {
      try {
        inputs = TensorInputs.prepare(specs.get(0), inputs);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(cmd, e.getMessage());
      }
    }
    if (limit != null) {
      if (limit < 1) {
        throw new CommandLine.ParameterException(cmd, "--limit must be >= 1");
      }
      inputs =
          Simulation.balanced(
              inputs, limit); // in turn from each label: a short run sees every class
    }
    EmbeddedNetwork.Options options =
        Arguments.read(
            cmd,
            () ->
                new EmbeddedNetwork.Options(
                    bootstrapServers,
                    EmbeddedNetwork.PeerPlan.honest(Math.max(0, peers)),
                    specs,
                    port.port(),
                    partitions.partitions(),
                    deadline.timeoutMs(),
                    commitIntervalMs,
                    guarantee.exactlyOnce(),
                    ConsensusConfig.DEFAULT_AUDIT_RATE,
                    redundancy.redundancy(),
                    kafka));
    PrintWriter out = cmd.getOut();
    PrintWriter err = cmd.getErr();
    long t0 = System.currentTimeMillis();
    err.println(
        "starting the network: "
            + (bootstrapServers == null ? "in-JVM Kafka broker (KRaft)" : bootstrapServers)
            + ", "
            + peers
            + " peers, consensus, API...");
    err.flush();
    try (EmbeddedNetwork network = EmbeddedNetwork.start(options, Duration.ofSeconds(90))) {
      err.printf(
          "ready in %.1f s: Kafka at %s, API at http://localhost:%d/metrics, model %s...%n",
          (System.currentTimeMillis() - t0) / 1000.0,
          network.kafka().bootstrapServers(),
          network.httpPort(),
          network.modelId().substring(0, 12));
      err.printf(
          "submitting %d inputs%s%n",
          inputs.size(),
          cmd.getParseResult().hasMatchedOption("--samples") ? " from " + samples.path() : "");
      err.flush();
      SubmitCommand.Outcome outcome;
      try (Submitter submitter =
          new Submitter(network.kafka(), "network-demo", Duration.ofSeconds(10))) {
        outcome =
            SubmitCommand.run(
                submitter,
                inputs,
                network.modelId(),
                specs.get(0).labels(),
                submit.maxInFlight(),
                Duration.ofMillis(deadline.timeoutMs() + 30_000),
                submit.json(),
                out,
                SubmitProgress.none());
      }
      if (report.file().isPresent()) {
        SubmitCommand.writeReport(report.file().get(), outcome.summary());
        err.println("report written to " + report.file().get());
      }
      if (keepRunning) {
        err.printf(
            "network running; try: curl localhost:%d/metrics   (Ctrl-C stops)%n",
            network.httpPort());
        err.flush();
        Shutdown.closeOnShutdown(network);
      }
      return outcome.summary().failed() == 0 ? 0 : 1;
    }
  }
}
