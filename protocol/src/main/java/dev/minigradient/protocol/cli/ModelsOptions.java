package dev.minigradient.protocol.cli;

import dev.minigradient.protocol.ModelSpec;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The network's models, for every command that runs a component of the network (a picocli mixin):
 * peers serve them, the consensus app's referee re-executes them, the API shows their names and
 * labels. Carries {@code --models-dir} ({@link ModelRegistryOptions}).
 */
public final class ModelsOptions {
  /** The models of a network that names none. */
  public static final String DEFAULT = "mnist,fashion-mnist";

  @Option(
      names = "--model",
      paramLabel = "MODEL",
      defaultValue = DEFAULT,
      split = ",",
      description =
          "The network's models: names under --models-dir, model folders or .onnx files (repeatable or"
              + " comma-separated; default: ${DEFAULT-VALUE}). Peers serve them, the consensus app re-executes"
              + " them for audits and escalations, the API shows their names and labels.")
  List<String> names;

  @Mixin ModelRegistryOptions registry;

  /**
   * The model arguments as given.
   *
   * @return one entry per model, in order
   */
  public List<String> names() {
    return List.copyOf(names);
  }

  /**
   * Resolves one model argument against the registry.
   *
   * @param name a model name under the registry, a model folder or an {@code .onnx} file
   * @return the model
   * @throws IllegalArgumentException if nothing matches
   */
  public ModelSpec resolve(String name) {
    return registry.resolve(name);
  }

  /**
   * Resolves every model argument against the registry.
   *
   * @return the models, in order
   * @throws IllegalArgumentException if one does not resolve
   */
  public List<ModelSpec> resolveAll() {
    return names.stream().map(registry::resolve).toList();
  }
}
