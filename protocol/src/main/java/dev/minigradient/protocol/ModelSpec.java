package dev.minigradient.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A model of the registry: a folder under {@code models/} holding {@code model.onnx} and {@code
 * model.json} ({@code {"name": ..., "preprocessing": ..., "labels": [...]}}).
 *
 * @param name the model's short name, e.g. {@code mnist}
 * @param onnx path to the ONNX file
 * @param preprocessing name of its input preprocessing, e.g. {@code mnist-digit}
 * @param labels class names by class index
 */
public record ModelSpec(String name, Path onnx, String preprocessing, List<String> labels) {

  /** Copies the labels. */
  public ModelSpec {
    labels = List.copyOf(labels);
  }

  /**
   * Resolves a model argument: a registry folder, a folder's name under {@code modelsDir}, or a
   * bare {@code .onnx} file (then: {@code mnist-digit} preprocessing and labels 0-9).
   *
   * @param arg what the user typed
   * @param modelsDir the registry folder, e.g. {@code $MG_HOME/models}
   * @return the model
   * @throws IllegalArgumentException if nothing matches or {@code model.json} is invalid
   */
  public static ModelSpec resolve(String arg, Path modelsDir) {
    Path p = Path.of(arg);
    if (Files.isRegularFile(p) && arg.endsWith(".onnx")) {
      Path json = p.resolveSibling("model.json");
      return Files.isRegularFile(json)
          ? load(p.getParent())
          : new ModelSpec(nameOf(p), p, "mnist-digit", digits());
    }
    if (Files.isDirectory(p) && Files.isRegularFile(p.resolve("model.json"))) {
      return load(p);
    }
    Path named = modelsDir.resolve(arg);
    if (!arg.contains("/") && Files.isRegularFile(named.resolve("model.json"))) {
      return load(named);
    }
    throw new IllegalArgumentException(
        "model not found: "
            + arg
            + " (give a model name under "
            + modelsDir
            + ", a model folder, or an .onnx file)");
  }

  /**
   * Reads a registry folder.
   *
   * @param dir the folder with {@code model.json} and {@code model.onnx}
   * @return the model
   * @throws IllegalArgumentException if {@code model.json} is missing fields
   */
  public static ModelSpec load(Path dir) {
    try {
      JsonNode n = Json.MAPPER.readTree(dir.resolve("model.json").toFile());
      if (!n.hasNonNull("name") || !n.hasNonNull("preprocessing") || !n.path("labels").isArray()) {
        throw new IllegalArgumentException(
            dir.resolve("model.json") + " needs name, preprocessing and labels");
      }
      List<String> labels = new ArrayList<>();
      n.get("labels").forEach(l -> labels.add(l.asText()));
      Path onnx = dir.resolve(n.path("file").asText("model.onnx"));
      if (!Files.isRegularFile(onnx)) {
        throw new IllegalArgumentException("model file not found: " + onnx);
      }
      return new ModelSpec(n.get("name").asText(), onnx, n.get("preprocessing").asText(), labels);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dir.resolve("model.json"), e);
    }
  }

  private static String nameOf(Path onnx) {
    Path parent = onnx.toAbsolutePath().getParent();
    return parent == null ? "model" : parent.getFileName().toString();
  }

  private static List<String> digits() {
    List<String> l = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      l.add(Integer.toString(i));
    }
    return l;
  }
}
