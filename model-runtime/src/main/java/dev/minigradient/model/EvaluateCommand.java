package dev.minigradient.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minigradient.model.preprocess.InputLimits;
import dev.minigradient.protocol.Json;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.cli.Arguments;
import dev.minigradient.protocol.cli.BaseCommand;
import dev.minigradient.protocol.cli.ModelOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code evaluate}: a model's accuracy, confusion matrix and agreement with its trainer's
 * predictions, through the peers' own inference path. Exit 1 below {@code --min-accuracy}.
 */
@Command(
    name = "evaluate",
    description =
        "Prints a model's accuracy and confusion matrix on labelled images (label-D in the file name) or IDX files, through the peers' own preprocessing and ONNX Runtime.")
public final class EvaluateCommand extends BaseCommand {

  @Mixin ModelOption model;

  @Option(
      names = "--data",
      description = "A folder of labelled images (default: the model's samples/).")
  Path data;

  @Option(
      names = "--idx-images",
      description = "IDX3 images file (28x28, optionally .gz); needs --idx-labels.")
  Path idxImages;

  @Option(names = "--idx-labels", description = "IDX1 labels file (optionally .gz).")
  Path idxLabels;

  @Option(
      names = "--heldout",
      description = "Evaluate on the model's own held-out set (model.json's heldout entry).")
  boolean heldout;

  @Option(
      names = "--limit",
      defaultValue = "0",
      description = "Evaluate at most this many IDX examples (0: all).")
  int limit;

  @Option(
      names = "--predictions",
      description =
          "CSV file,label,predicted of reference predictions (default: the model's predictions.csv if present).")
  Path predictions;

  @Option(
      names = "--min-accuracy",
      defaultValue = "0",
      description = "Exit 1 if the accuracy is below this fraction (default: ${DEFAULT-VALUE}).")
  double minAccuracy;

  @Override
  protected int run(CommandLine cmd) throws Exception {
    ModelSpec m = Arguments.read(spec.commandLine(), model::resolve);
    if (m.isTensors() || m.agreement().byValue()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "evaluate scores image classifiers; model "
              + m.name()
              + " takes tensors or agrees by value (its held-out figure is checked in the build,"
              + " TensorModelsTest)");
    }
    if ((idxImages == null) != (idxLabels == null)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--idx-images and --idx-labels go together");
    }
    Path folder = m.onnx().toAbsolutePath().normalize().getParent();
    if (heldout && (data != null || idxImages != null)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--heldout cannot be combined with --data or --idx-images");
    }
    if (heldout) {
      JsonNode h = Json.MAPPER.readTree(folder.resolve("model.json").toFile()).path("heldout");
      if (!h.hasNonNull("images") || !h.hasNonNull("labels")) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "model " + m.name() + " names no held-out set in model.json");
      }
      idxImages = folder.resolve(h.get("images").asText());
      idxLabels = folder.resolve(h.get("labels").asText());
    }
    Path samples = data != null ? data : folder.resolve("samples");
    if (idxImages == null && !Files.isDirectory(samples)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          (Files.exists(samples) ? "not a folder: " : "no such folder: ") + samples);
    }
    Path reference = predictions != null ? predictions : folder.resolve("predictions.csv");
    var out = spec.commandLine().getOut();
    ServedModel served = ServedModel.open(m, InputLimits.MAX_PIXELS);
    Evaluation e;
    try {
      if (idxImages != null) {
        e = Evaluation.ofIdx(served, idxImages, idxLabels, limit);
      } else {
        Map<String, Integer> ref =
            Files.isRegularFile(reference) ? Evaluation.readPredictions(reference) : Map.of();
        e = Evaluation.ofFolder(served, samples, ref);
      }
    } finally {
      served.engine().close();
    }
    if (e.n() == 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "no labelled inputs in " + samples + " (file names need label-D)");
    }
    out.printf("model %s (%s)%n", m.name(), served.modelId());
    out.printf("data %s%n", idxImages != null ? idxImages : samples);
    out.printf(
        "examples %d, correct %d, refused %d, accuracy %.2f%%%n",
        e.n(), e.correct(), e.refused(), 100 * e.accuracy());
    if (e.compared() > 0) {
      out.printf(
          "agreement with %s: %d/%d (%.2f%%)%n",
          reference, e.agreed(), e.compared(), 100 * e.agreement());
    }
    out.print(e.confusionTable(m.labels()));
    out.flush();
    return e.accuracy() >= minAccuracy ? 0 : 1;
  }
}
