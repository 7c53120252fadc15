package dev.minigradient.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A model of the registry: a folder under {@code models/} holding {@code model.onnx} and {@code
 * model.json}, which describes it:
 *
 * <pre>{@code
 * {"name": "wine", "file": "model.onnx",
 *  "recipe": "tensors",                      // or an image recipe: "mnist-digit", "fashion-mnist"
 *  "inputs":  [{"name": "features", "datatype": "FP32", "shape": [-1, 13]}],
 *  "outputs": [{"name": "logits",   "datatype": "FP32", "shape": [-1, 3]}],
 *  "agreement": {"by": "class", "output": "logits"},  // or {"by": "value", "output": ...,
 *                                                    //  "tolerance": {"kind": "relative", "value": 0.001}}
 *  "labels": ["class_0", "class_1", "class_2"]}     // class names; "elements" names a value's parts
 * }</pre>
 *
 * The description is checked against the ONNX session's own metadata when a peer opens the model
 * ({@code OnnxInferenceEngine}). An older {@code model.json} naming {@code preprocessing} instead
 * of {@code recipe}, without inputs and outputs, describes an image classifier whose tensors the
 * session gives.
 *
 * @param name the model's short name, e.g. {@code mnist}
 * @param onnx path to the ONNX file
 * @param recipe how a task's input becomes the model's inputs: an image recipe's name, or {@link
 *     #TENSORS} for tasks carrying named tensors ({@link InferenceRequest})
 * @param labels class names by class index (agreement by class); empty: the indices are the names
 * @param inputs the model's inputs; empty when an image model's session is to give them
 * @param outputs the model's outputs; empty when an image model's session is to give them
 * @param agreement how votes agree
 * @param elements names of a value output's elements, for display; may be empty
 */
public record ModelSpec(
    String name,
    Path onnx,
    String recipe,
    List<String> labels,
    List<TensorSpec> inputs,
    List<TensorSpec> outputs,
    Agreement agreement,
    List<String> elements) {

  /** The recipe of models whose tasks carry named tensors. */
  public static final String TENSORS = "tensors";

  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException if a tensor recipe lacks inputs or outputs, the agreement
   *     names an output the model does not have
   */
  public ModelSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(recipe, "recipe");
    labels = List.copyOf(labels);
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    elements = elements == null ? List.of() : List.copyOf(elements);
    agreement = agreement == null ? Agreement.byClass(null) : agreement;
    if (TENSORS.equals(recipe) && (inputs.isEmpty() || outputs.isEmpty())) {
      throw new IllegalArgumentException("recipe tensors needs inputs and outputs");
    }
    String out = agreement.output();
    if (out != null
        && !outputs.isEmpty()
        && outputs.stream().noneMatch(o -> o.name().equals(out))) {
      throw new IllegalArgumentException("agreement names output " + out + ", not one of outputs");
    }
  }

  /**
   * An image classifier described by its session: the given recipe, labels, agreement by class.
   *
   * @param name the model's name
   * @param onnx its file
   * @param recipe an image recipe
   * @param labels class names
   * @return the spec
   */
  public static ModelSpec imageClassifier(
      String name, Path onnx, String recipe, List<String> labels) {
    return new ModelSpec(
        name, onnx, recipe, labels, List.of(), List.of(), Agreement.byClass(null), List.of());
  }

  /**
   * Whether tasks for this model carry named tensors, not an image.
   *
   * @return true for the {@link #TENSORS} recipe
   */
  public boolean isTensors() {
    return TENSORS.equals(recipe);
  }

  /**
   * The output the votes carry, as described; null when the description leaves it to the session (a
   * model with one output).
   *
   * @return the agreement's output, or the only described output, or null
   */
  public TensorSpec agreedOutput() {
    for (TensorSpec o : outputs) {
      if (agreement.output() == null || o.name().equals(agreement.output())) {
        return o;
      }
    }
    return null;
  }

  /**
   * Resolves a model argument: a registry folder, a folder's name under {@code modelsDir}, or a
   * bare {@code .onnx} file (then: {@code mnist-digit} recipe and labels 0-9).
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
          : imageClassifier(nameOf(p), p, "mnist-digit", digits());
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
   * @throws IllegalArgumentException naming {@code model.json} and what is wrong in it
   */
  public static ModelSpec load(Path dir) {
    Path file = dir.resolve("model.json");
    JsonNode n;
    try {
      n = Json.MAPPER.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    try {
      String recipe = n.hasNonNull("recipe") ? n.get("recipe").asText() : null;
      if (recipe == null && n.hasNonNull("preprocessing")) {
        recipe = n.get("preprocessing").asText();
      }
      if (!n.hasNonNull("name") || recipe == null) {
        throw new IllegalArgumentException("needs name and recipe");
      }
      if (TENSORS.equals(recipe) && !n.hasNonNull("agreement")) {
        throw new IllegalArgumentException(
            "a tensors model needs \"agreement\": {\"by\": \"class\"} or {\"by\": \"value\","
                + " \"tolerance\": {...}}");
      }
      Path onnx = dir.resolve(n.path("file").asText("model.onnx"));
      if (!Files.isRegularFile(onnx)) {
        throw new IllegalArgumentException("model file not found: " + onnx);
      }
      return new ModelSpec(
          n.get("name").asText(),
          onnx,
          recipe,
          strings(n.path("labels")),
          tensors(n.path("inputs")),
          tensors(n.path("outputs")),
          n.hasNonNull("agreement")
              ? Json.MAPPER.treeToValue(n.get("agreement"), Agreement.class)
              : null,
          strings(n.path("elements")));
    } catch (IOException | IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException(file + ": " + reason(e), e);
    }
  }

  private static String reason(Exception e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.toString() : t.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  private static List<TensorSpec> tensors(JsonNode node) throws IOException {
    if (node.isMissingNode() || node.isNull()) {
      return List.of();
    }
    return Json.MAPPER.readerFor(new TypeReference<List<TensorSpec>>() {}).readValue(node);
  }

  private static List<String> strings(JsonNode node) {
    List<String> out = new ArrayList<>();
    node.forEach(l -> out.add(l.asText()));
    return out;
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
