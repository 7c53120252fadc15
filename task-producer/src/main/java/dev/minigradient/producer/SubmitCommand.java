package dev.minigradient.producer;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.JsonSerde;
import dev.minigradient.protocol.ModelIds;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.Redundancy;
import dev.minigradient.protocol.Verdict;
import dev.minigradient.protocol.cli.Arguments;
import dev.minigradient.protocol.cli.ClusterCommand;
import dev.minigradient.protocol.cli.ModelOption;
import dev.minigradient.protocol.cli.ReportOption;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code task-producer}: submits image files and folders as tasks and prints the network's answers
 * as they arrive, then a summary. Exit code 0 when every input was decided, 1 when any failed, 2
 * for bad arguments.
 */
@Command(
    name = "task-producer",
    description = {
      "Submits images (files, folders, or @list files) as inference tasks and prints each consensus.",
      "A true label in a file name (e.g. digit-label-7.png) is checked against the answer."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every input was decided",
      "1:an input failed (unreadable, rejected, no quorum, no answer)",
      "2:bad arguments or Kafka unreachable"
    })
public final class SubmitCommand extends ClusterCommand {
  @Spec CommandLine.Model.CommandSpec spec;

  @Parameters(
      arity = "1..*",
      paramLabel = "PATH",
      description =
          "Image files or folders; for a model whose recipe is tensors, V2 inference request JSON files or .npy arrays; @FILE reads one path per line.")
  List<Path> paths;

  @Mixin ModelOption model;

  @Option(names = "--model-id", description = "Model id (SHA-256) to ask for, instead of --model.")
  String modelId;

  @Mixin SubmitOptions submit;

  @Mixin ReportOption report;

  @Option(
      names = "--timeout",
      defaultValue = "60",
      description =
          "Seconds to wait for the next answer before giving up on the rest (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Option(
      names = "--connect-timeout",
      defaultValue = "5",
      description = "Seconds to wait for Kafka to answer (default: ${DEFAULT-VALUE}).")
  long connectTimeoutSeconds;

  @Option(
      names = "--progress",
      negatable = true,
      description =
          "Show a progress bar of the answers on stderr (default: when run in a terminal with more than one input).")
  Boolean progress;

  @Option(
      names = "--requester",
      defaultValue = "cli",
      description = "Requester id stamped on the tasks (default: ${DEFAULT-VALUE}).")
  String requester;

  /**
   * Committee seats the tasks ask for, {@link Redundancy#ALL}, or null for the network's default.
   */
  Integer redundancy;

  @Option(
      names = "--redundancy",
      paramLabel = "K|all",
      description =
          "Committee seats each task asks for: a positive integer, or all for every peer serving the model (default: the network's, which consensus-streams --redundancy sets for tasks that name none).")
  void redundancy(String value) {
    try {
      redundancy =
          value == null ? null : Redundancy.parse(value); // null: picocli resetting the default
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "invalid --redundancy: " + e.getMessage());
    }
  }

  @Override
  public Integer call() throws Exception {
    String id = resolveModelId();
    if (timeoutSeconds <= 0 || connectTimeoutSeconds <= 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "timeouts must be positive");
    }
    if (submit.maxInFlight() < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--max-in-flight must be >= 1");
    }
    List<Input> inputs = Submitter.read(paths);
    if (inputs.isEmpty()) {
      throw new CommandLine.ParameterException(spec.commandLine(), "no input files in " + paths);
    }
    if (resolved != null && resolved.isTensors()) {
      try {
        inputs = TensorInputs.prepare(resolved, inputs);
      } catch (IllegalArgumentException e) {
        spec.commandLine().getErr().println("task-producer: " + e.getMessage());
        return 2;
      }
    }
    Submitter submitter;
    try {
      submitter =
          new Submitter(
              kafka.settings(), requester, redundancy, Duration.ofSeconds(connectTimeoutSeconds));
    } catch (IllegalStateException e) {
      spec.commandLine().getErr().println("task-producer: " + e.getMessage());
      return 2;
    }
    Outcome outcome;
    boolean showProgress =
        progress != null ? progress : System.console() != null && inputs.size() > 1;
    try (submitter;
        SubmitProgress bar =
            showProgress
                ? SubmitProgress.on(System.err, inputs.size(), 0)
                : SubmitProgress.none()) {
      outcome =
          run(
              submitter,
              inputs,
              id,
              labels,
              submit.maxInFlight(),
              Duration.ofSeconds(timeoutSeconds),
              submit.json(),
              spec.commandLine().getOut(),
              bar);
    }
    if (submit.json()) {
      spec.commandLine()
          .getErr()
          .println("summary: " + outcome.summary()); // stdout stays pure JSON lines
      spec.commandLine().getErr().flush();
    }
    if (report.file().isPresent()) {
      writeReport(report.file().get(), outcome.summary());
    }
    return outcome.summary().failed() == 0 ? 0 : 1;
  }

  /** Class names of the model asked for, when it is a registry model; empty for a bare id. */
  private List<String> labels = List.of();

  /** The model asked for, when it is a registry model; null for a bare id. */
  private ModelSpec resolved;

  private String resolveModelId() {
    if (modelId != null) {
      if (!modelId.matches("[0-9a-f]{64}")) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--model-id must be 64 lower-case hex characters");
      }
      return modelId;
    }
    resolved = Arguments.read(spec.commandLine(), model::resolve);
    labels = resolved.labels();
    return ModelIds.of(resolved.onnx());
  }

  /**
   * Submission results and their summary.
   *
   * @param results one per input
   * @param summary their summary
   */
  public record Outcome(List<Result> results, Summary summary) {}

  /**
   * Submits, prints each answer as it arrives (above the progress bar), then the summary.
   *
   * @param submitter a connected submitter
   * @param inputs the inputs
   * @param modelId the model id
   * @param labels class names by label, to print beside the label (may be empty)
   * @param maxInFlight most unanswered tasks at a time
   * @param timeout how long to wait for the next answer
   * @param json print JSON lines instead of a table
   * @param out where to print
   * @param progress the progress bar, or {@link SubmitProgress#none()}
   * @return the results and summary
   */
  public static Outcome run(
      Submitter submitter,
      List<Input> inputs,
      String modelId,
      List<String> labels,
      int maxInFlight,
      Duration timeout,
      boolean json,
      PrintWriter out,
      SubmitProgress progress) {
    long start = System.currentTimeMillis();
    if (!json) {
      out.println(tableHeader());
    }
    List<Result> results =
        submitter.submitAndAwait(
            inputs,
            modelId,
            maxInFlight,
            timeout,
            r -> {
              progress.clearLine();
              out.println(json ? jsonLine(r, labels) : tableLine(r, labels));
              out.flush();
              progress.answered(r);
            });
    progress.close();
    Summary summary = Summary.of(results, System.currentTimeMillis() - start);
    if (!json) {
      out.println("summary: " + summary);
      out.flush();
    }
    return new Outcome(results, summary);
  }

  private static String labelText(Integer label, List<String> labels) {
    if (label == null) {
      return "-";
    }
    boolean named =
        label >= 0 && label < labels.size() && !labels.get(label).equals(label.toString());
    return named ? label + " " + labels.get(label) : label.toString();
  }

  /** A value decision's values, compactly: four significant digits each, up to four shown. */
  private static String valuesText(Consensus c) {
    List<String> shown = new ArrayList<>();
    for (int i = 0; i < Math.min(4, c.values().size()); i++) {
      shown.add(String.format(Locale.ROOT, "%.4g", c.values().get(i)));
    }
    return "[" + String.join(" ", shown) + (c.values().size() > 4 ? " ..." : "") + "]";
  }

  static String tableHeader() {
    return String.format(
        "%-36s %-9s %-14s %8s %5s %6s %8s  %s",
        "input", "status", "label", "support", "seats", "conf", "latency", "check");
  }

  static String tableLine(Result r, List<String> labels) {
    var c = r.consensus();
    String check =
        r.input().trueLabel() == null
            ? ""
            : (r.correct() ? "ok" : "WRONG (true " + r.input().trueLabel() + ")");
    if (c == null || r.failure() != null) {
      check = r.failure();
    }
    if (c != null && c.escalated()) {
      check =
          (check == null || check.isEmpty() ? "" : check + "; ") + "escalated: " + c.escalation();
    }
    return String.format(
        "%-36s %-9s %-14s %8s %5s %6s %8s  %s",
        abbreviate(r.input().name(), 36),
        r.status(),
        c == null ? "-" : c.values().isEmpty() ? labelText(c.label(), labels) : valuesText(c),
        c == null ? "-" : peersAgreeing(c),
        c == null ? "-" : String.valueOf(seats(c)),
        c == null || c.label() == null || !c.values().isEmpty()
            ? "-"
            : String.format("%.3f", c.confidence()),
        r.latencyMs() < 0 ? "-" : r.latencyMs() + " ms",
        check == null ? "" : check);
  }

  /**
   * A consensus's committee size, written as a task's redundancy is.
   *
   * @param c the consensus
   * @return the seats drawn (an Integer), or {@code "all"} when every eligible peer served the task
   */
  static Object seats(Consensus c) {
    return c.committee().isEmpty()
        ? Redundancy.format(Redundancy.ALL)
        : Integer.valueOf(c.committee().size());
  }

  static String jsonLine(Result r, List<String> labels) {
    var c = r.consensus();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("file", r.input().path() == null ? r.input().name() : r.input().path().toString());
    m.put("task_id", r.taskId());
    m.put("status", r.status());
    m.put("label", c == null ? null : c.label());
    if (c != null && !c.values().isEmpty()) {
      m.put("values", c.values());
    }
    if (c != null
        && c.label() != null
        && c.label() >= 0
        && c.label() < labels.size()
        && !labels.get(c.label()).equals(c.label().toString())) {
      m.put("class", labels.get(c.label())); // digits are their own names
    }
    m.put("confidence", c == null || c.label() == null ? null : c.confidence());
    m.put("support", c == null ? null : c.support());
    m.put("latency_ms", r.latencyMs() < 0 ? null : r.latencyMs());
    m.put("seats", c == null ? null : seats(c));
    m.put("escalation", c == null ? null : c.escalation());
    m.put("inferences", c == null ? null : c.inferences());
    m.put("true_label", r.input().trueLabel());
    m.put("error", r.failure());
    try {
      return JsonSerde.MAPPER.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Writes a summary as pretty JSON.
   *
   * @param file the report file (parent folders are created)
   * @param summary the summary
   * @throws IOException if it cannot be written
   */
  public static void writeReport(Path file, Summary summary) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    JsonSerde.MAPPER.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), summary);
  }

  /** Peers that voted the decided label out of the eligible peers, e.g. {@code 3/4}. */
  private static String peersAgreeing(Consensus c) {
    long agreeing =
        c.verdicts().stream()
            .filter(v -> v.verdict() == Verdict.AGREED || v.verdict() == Verdict.LATE)
            .count();
    return agreeing + "/" + c.verdicts().size();
  }

  private static String abbreviate(String s, int max) {
    return s.length() <= max ? s : "..." + s.substring(s.length() - max + 3);
  }

  /**
   * Runs the command.
   *
   * @param args command-line arguments
   */
  public static void main(String[] args) {
    System.exit(new CommandLine(new SubmitCommand()).execute(args));
  }
}
