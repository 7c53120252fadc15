package dev.minigradient.protocol.cli;

import dev.minigradient.protocol.ModelSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The one model a command works with (a picocli mixin): the model a requester asks for, the model
 * {@code evaluate} scores, the model the peers of a simulated, chaos or bench network serve.
 * Carries {@code --models-dir} ({@link ModelRegistryOptions}).
 */
public final class ModelOption {
  @Option(
      names = "--model",
      paramLabel = "MODEL",
      defaultValue = "mnist",
      description =
          "The model to work with: a name under --models-dir, a model folder or an .onnx file; its"
              + " SHA-256 is its model id (default: ${DEFAULT-VALUE}).")
  String name;

  @Mixin ModelRegistryOptions registry;

  /**
   * The model argument as given.
   *
   * @return a name, folder or file
   */
  public String name() {
    return name;
  }

  /**
   * Resolves the model against the registry.
   *
   * @return the model
   * @throws IllegalArgumentException if nothing matches
   */
  public ModelSpec resolve() {
    return registry.resolve(name);
  }
}
