package dev.minigradient.protocol.cli;

import dev.minigradient.protocol.ModelSpec;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the model registry is, for every command that names models (a picocli mixin). */
public final class ModelRegistryOptions {
  @Option(
      names = "--models-dir",
      defaultValue = "${env:MG_HOME:-.}/models",
      description = "The model registry folder (default: ${DEFAULT-VALUE}).")
  Path modelsDir;

  /**
   * Resolves a model argument against the registry, see {@link ModelSpec#resolve}.
   *
   * @param arg a model name under the registry, a model folder or an {@code .onnx} file
   * @return the model
   * @throws IllegalArgumentException if nothing matches
   */
  public ModelSpec resolve(String arg) {
    return ModelSpec.resolve(arg, modelsDir);
  }
}
